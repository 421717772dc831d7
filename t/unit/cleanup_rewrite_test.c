/* cleanup_rewrite_test.c - unit test of cleanup's envelope rewriting
 *
 * Table-driven: texthash: tables written into a temporary directory
 * (canonical, sender_canonical, recipient_canonical, virtual alias), then
 * one case per line of cases[]: a sender or a recipient, whether it is
 * qualified first, the delimiter and propagate_unmatched_extensions, and
 * the wanted result (the addresses joined with ",", or "ERR:lookup",
 * "ERR:loop", "ERR:limit"). Also: a missing table fails to open with the
 * parameter named, and an empty configuration rewrites nothing.
 */
#include "../../cleanup/cleanup.h"
#include "buf.h"
#include "params.h"
#include "tap.h"

enum kind { SENDER, RCPT };

struct rw_case {
	const char *name;
	enum kind kind;
	const char *in;
	bool	qualify;
	const char *delim;
	const char *propagate;
	const char *want;
};

static const struct rw_case cases[] = {
	{"sender canonical", SENDER, "root@example.com", false, "", "",
	"admin@example.com"},
	{"sender qualified then canonical", SENDER, "root", true, "", "",
	"admin@example.com"},
	{"sender unqualified from smtp stays", SENDER, "root", false, "", "",
	"root"},
	{"null sender stays", SENDER, "", true, "", "", ""},
	{"sender through canonical_maps", SENDER, "old@example.com", false, "",
	"", "new@example.com"},
	{"sender @domain keeps local part", SENDER, "x@legacy.example", false,
	"", "", "x@example.com"},
	{"canonical multi-valued uses the first", SENDER,
	"multi@example.com", false, "", "", "first@example.com"},
	{"canonical extension propagated", SENDER, "old+tag@example.com",
	false, "+", "canonical, virtual", "new+tag@example.com"},
	{"canonical extension not propagated", SENDER, "old+tag@example.com",
	false, "+", "virtual", "new@example.com"},
	{"sender_canonical not for recipients", RCPT, "root@example.com",
	false, "", "", "root@example.com"},
	{"recipient_canonical", RCPT, "rc@example.com", false, "", "",
	"rcnew@example.com"},
	{"canonical_maps for recipients", RCPT, "old@example.com", false, "",
	"", "new@example.com"},
	{"virtual to a local user", RCPT, "alias@example.com", false, "", "",
	"bob@example.com"},
	{"virtual key case-insensitive", RCPT, "ALIAS@Example.COM", false, "",
	"", "bob@example.com"},
	{"virtual to two users", RCPT, "two@example.com", false, "", "",
	"bob@example.com,carol@other.org"},
	{"virtual catch-all @domain", RCPT, "anyone@catch.example", false, "",
	"", "dave@example.com"},
	{"virtual user key in a local domain", RCPT, "user@example.com",
	false, "", "", "plain@example.com"},
	{"virtual user key not in a remote domain", RCPT, "user@other.org",
	false, "", "", "user@other.org"},
	{"virtual maps to itself and another", RCPT, "keep@example.com",
	false, "", "", "keep@example.com,copy@example.com"},
	{"virtual recursive", RCPT, "chain1@example.com", false, "", "",
	"chain3@example.com"},
	{"virtual loop", RCPT, "loopa@example.com", false, "", "",
	"ERR:loop"},
	{"virtual @domain result keeps the local part", RCPT,
	"dom@old.example", false, "", "", "dom@new.example"},
	{"virtual extension propagated", RCPT, "tagged+x@example.com", false,
	"+", "canonical, virtual", "tagdest+x@example.com"},
	{"virtual extension not propagated", RCPT, "tagged+x@example.com",
	false, "+", "canonical", "tagdest@example.com"},
	{"virtual full key with extension wins", RCPT,
	"tagged+special@example.com", false, "+", "canonical, virtual",
	"special@example.com"},
	{"virtual extension without delimiter set", RCPT,
	"tagged+x@example.com", false, "", "canonical, virtual",
	"tagged+x@example.com"},
	{"virtual unqualified result gets myorigin", RCPT, "unq@example.com",
	false, "", "", "frank@example.com"},
	{"virtual nested without duplicates", RCPT, "nested@example.com",
	false, "", "", "bob@example.com,carol@other.org"},
	{"virtual self among a loop stays once", RCPT,
	"selfloop@example.com", false, "", "", "selfloop@example.com"},
	{"virtual deeper than the limit", RCPT, "d0@example.com", false, "",
	"", "ERR:limit"},
	{"virtual wider than the limit", RCPT, "big@example.com", false, "",
	"", "ERR:limit"},
	{"virtual exactly at the width limit", RCPT, "hundred@example.com",
	false, "", "", "#100"},
	{"qualified recipient then virtual", RCPT, "alias", true, "", "",
	"bob@example.com"},
	{"unknown recipient unchanged", RCPT, "nobody@example.com", false, "",
	"", "nobody@example.com"},
	{"canonical then virtual", RCPT, "canon2virt@example.com", false, "",
	"", "bob@example.com"},
};

static char dir[] = "/tmp/cleanup_rewrite_test.XXXXXX";
static char path_canon[128], path_scanon[128], path_rcanon[128];
static char path_virtual[128], path_missing[128];
static char map_canon[160], map_scanon[160], map_rcanon[160];
static char map_virtual[160], map_missing[160];

/* write_file - create path with text; exits on failure */
static void
write_file(const char *path, const char *text)
{
	FILE   *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* make_tables - the texthash sources of every case */
static void
make_tables(void)
{
	struct buf *v = buf_new(0);
	int     i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	(void)snprintf(path_canon, sizeof(path_canon), "%s/canonical", dir);
	(void)snprintf(path_scanon, sizeof(path_scanon), "%s/scanon", dir);
	(void)snprintf(path_rcanon, sizeof(path_rcanon), "%s/rcanon", dir);
	(void)snprintf(path_virtual, sizeof(path_virtual), "%s/virtual", dir);
	(void)snprintf(path_missing, sizeof(path_missing), "%s/none", dir);
	(void)snprintf(map_canon, sizeof(map_canon), "texthash:%s",
	    path_canon);
	(void)snprintf(map_scanon, sizeof(map_scanon), "texthash:%s",
	    path_scanon);
	(void)snprintf(map_rcanon, sizeof(map_rcanon), "texthash:%s",
	    path_rcanon);
	(void)snprintf(map_virtual, sizeof(map_virtual), "texthash:%s",
	    path_virtual);
	(void)snprintf(map_missing, sizeof(map_missing), "texthash:%s",
	    path_missing);
	write_file(path_canon,
	    "old@example.com new@example.com\n"
	    "@legacy.example @example.com\n"
	    "multi@example.com first@example.com, second@example.com\n"
	    "canon2virt@example.com alias@example.com\n");
	write_file(path_scanon, "root@example.com admin@example.com\n");
	write_file(path_rcanon, "rc@example.com rcnew@example.com\n");
	(void)buf_set(v,
	    "# virtual alias table\n"
	    "alias@example.com bob@example.com\n"
	    "two@example.com bob@example.com, carol@other.org\n"
	    "@catch.example dave@example.com\n"
	    "user plain@example.com\n"
	    "keep@example.com keep@example.com, copy@example.com\n"
	    "chain1@example.com chain2@example.com\n"
	    "chain2@example.com chain3@example.com\n"
	    "loopa@example.com loopb@example.com\n"
	    "loopb@example.com loopa@example.com\n"
	    "dom@old.example @new.example\n"
	    "tagged@example.com tagdest@example.com\n"
	    "tagged+special@example.com special@example.com\n"
	    "unq@example.com frank\n"
	    "nested@example.com two@example.com, alias@example.com\n"
	    "selfloop@example.com selfloop@example.com, selfb@example.com\n"
	    "selfb@example.com selfloop@example.com\n");
	for (i = 0; i <= CLEANUP_VIRTUAL_DEPTH + 1; i++)
		(void)buf_printf(v, "d%d@example.com d%d@example.com\n", i,
		    i + 1);
	(void)buf_printf(v, "big@example.com");
	for (i = 0; i <= CLEANUP_VIRTUAL_RESULTS; i++)
		(void)buf_printf(v, " u%d@other.org", i);
	(void)buf_printf(v, "\nhundred@example.com");
	for (i = 0; i < CLEANUP_VIRTUAL_RESULTS; i++)
		(void)buf_printf(v, " h%d@other.org", i);
	(void)buf_printf(v, "\n");
	write_file(path_virtual, buf_str(v));
	buf_free(v);
}

/* remove_tables - clean up the temporary directory */
static void
remove_tables(void)
{
	(void)unlink(path_canon);
	(void)unlink(path_scanon);
	(void)unlink(path_rcanon);
	(void)unlink(path_virtual);
	(void)rmdir(dir);
}

/* rc_name - the want text of an error */
static const char *
rc_name(enum cleanup_rw rc)
{
	switch (rc) {
	case CLEANUP_RW_LOOKUP:
		return "ERR:lookup";
	case CLEANUP_RW_LOOP:
		return "ERR:loop";
	case CLEANUP_RW_LIMIT:
		return "ERR:limit";
	default:
		return "";
	}
}

/* run_case - one case, with the tables open in m */
static void
run_case(const struct rw_case *c, struct cleanup_maps *m)
{
	struct cleanup_addrs out = {0};
	struct buf *got = buf_new(0), *why = buf_new(0);
	enum cleanup_rw rc;
	size_t  i;

	var_recipient_delimiter = (char *)c->delim;
	m->propagate_canonical = params_list_has(c->propagate, "canonical");
	m->propagate_virtual = params_list_has(c->propagate, "virtual");
	if (c->kind == SENDER) {
		rc = cleanup_rewrite_sender(m, c->in, c->qualify, got, why);
	} else {
		rc = cleanup_rewrite_rcpt(m, c->in, c->qualify, &out, why);
		if (c->want[0] == '#' && rc == CLEANUP_RW_OK)
			(void)buf_printf(got, "#%zu", out.n);
		else
			for (i = 0; i < out.n; i++)
				(void)buf_printf(got, "%s%s", i ? "," : "",
				    out.v[i]);
	}
	if (rc != CLEANUP_RW_OK)
		(void)buf_set(got, rc_name(rc));
	if (!is_str(buf_str(got), c->want, c->name))
		diag("why: %s", buf_str(why));
	cleanup_addrs_free(&out);
	buf_free(got);
	buf_free(why);
}

int
main(void)
{
	struct cleanup_maps m;
	struct buf *why = buf_new(0), *got = buf_new(0);
	size_t  i;

	plan((int)SYS_ARRAY_LEN(cases) + 4);
	make_tables();
	var_myorigin = "example.com";
	var_mydestination = "example.com, localhost";
	var_propagate_unmatched_extensions = "canonical, virtual";

	/* nothing configured: nothing rewritten */
	var_canonical_maps = var_sender_canonical_maps = "";
	var_recipient_canonical_maps = var_virtual_alias_maps = "";
	ok(cleanup_maps_open(&m, why) == 0 && m.canonical == NULL
	    && m.virtual_alias == NULL, "empty configuration opens nothing");
	(void)cleanup_rewrite_sender(&m, "old@example.com", true, got, why);
	is_str(buf_str(got), "old@example.com",
	    "empty configuration rewrites nothing");
	cleanup_maps_close(&m);

	/* a missing table */
	var_virtual_alias_maps = map_missing;
	buf_reset(why);
	ok(cleanup_maps_open(&m, why) < 0
	    && strstr(buf_str(why), "virtual_alias_maps") != NULL,
	    "missing table fails with the parameter named");
	diag("%s", buf_str(why));

	var_canonical_maps = map_canon;
	var_sender_canonical_maps = map_scanon;
	var_recipient_canonical_maps = map_rcanon;
	var_virtual_alias_maps = map_virtual;
	buf_reset(why);
	if (!ok(cleanup_maps_open(&m, why) == 0, "open the tables")) {
		diag("%s", buf_str(why));
		remove_tables();
		return 1;
	}
	for (i = 0; i < SYS_ARRAY_LEN(cases); i++)
		run_case(&cases[i], &m);
	cleanup_maps_close(&m);
	remove_tables();
	buf_free(why);
	buf_free(got);
	return done();
}
