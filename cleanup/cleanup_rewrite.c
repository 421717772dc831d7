/* cleanup_rewrite.c - canonical and virtual alias rewriting of the envelope
 *
 * Owns cleanup's lookup tables (opened once, before the chroot, by
 * cleanup_init_privileged; a table changed on disk makes cleanup exit
 * after the connection) and the rewriting of envelope addresses, in
 * Postfix's order:
 *   sender     qualify (local submissions), sender_canonical_maps,
 *              canonical_maps
 *   recipient  qualify (local submissions), recipient_canonical_maps,
 *              canonical_maps, then virtual_alias_maps expansion
 * Qualifying appends "@$myorigin" to an address without '@' (Postfix's
 * append_at_myorigin; append_dot_mydomain is not done, as Postfix with it
 * set to no). A canonical table maps one address to one address and is
 * applied once; a second value is ignored with a warning. The virtual
 * alias expansion is recursive: results are looked up again, an address
 * that maps to itself is kept (once), and an address that comes back in
 * its own chain of expansions is a loop. Keys are searched as
 * util/addr_find.h says; a hit on a key without the address extension
 * gets the extension back on its results when propagate_unmatched_
 * extensions names the table's class, and a result "@domain" keeps the
 * original local part (without propagating the extension), as Postfix's
 * mail_addr_map does. Results without '@' are qualified with $myorigin.
 *
 * Untrusted input: the addresses (bounded by cleanup_service.c) and table
 * values (bounded by util/dict.h). Limits: CLEANUP_VIRTUAL_RESULTS
 * addresses per original recipient, CLEANUP_VIRTUAL_DEPTH levels, and
 * CLEANUP_ADDR_MAX bytes per resulting address; past them (and on a
 * loop or a lookup error) the message is deferred, never cut short.
 * Only the envelope is rewritten, never headers.
 */
#include "cleanup.h"
#include "addr.h"
#include "addr_find.h"
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "server.h"
#include "str.h"

/* the process's tables, opened before the chroot */
static struct cleanup_maps cleanup_rewrite_tables;

/* cleanup_maps_open - open the tables named by the var_* parameters */
int
cleanup_maps_open(struct cleanup_maps *m, struct buf *why)
{
	static const struct {
		const char *param;
		char  **value;
		size_t  offset;
	} t[] = {
		{"canonical_maps", &var_canonical_maps,
		offsetof(struct cleanup_maps, canonical)},
		{"sender_canonical_maps", &var_sender_canonical_maps,
		offsetof(struct cleanup_maps, sender_canonical)},
		{"recipient_canonical_maps", &var_recipient_canonical_maps,
		offsetof(struct cleanup_maps, recipient_canonical)},
		{"virtual_alias_maps", &var_virtual_alias_maps,
		offsetof(struct cleanup_maps, virtual_alias)},
	};
	struct dict_list **slot;
	struct buf *err = buf_new(0);
	size_t  i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < SYS_ARRAY_LEN(t); i++) {
		if (**t[i].value == '\0')
			continue;
		slot = (struct dict_list **)((char *)m + t[i].offset);
		buf_reset(err);
		if ((*slot = dict_list_open(*t[i].value, err)) == NULL) {
			buf_why(why, "%s: %s", t[i].param, buf_str(err));
			buf_free(err);
			cleanup_maps_close(m);
			return -1;
		}
	}
	buf_free(err);
	m->propagate_canonical = params_list_has(
	    var_propagate_unmatched_extensions, "canonical");
	m->propagate_virtual = params_list_has(
	    var_propagate_unmatched_extensions, "virtual");
	return 0;
}

/* cleanup_maps_close - close every table */
void
cleanup_maps_close(struct cleanup_maps *m)
{
	m->canonical = dict_list_close(m->canonical);
	m->sender_canonical = dict_list_close(m->sender_canonical);
	m->recipient_canonical = dict_list_close(m->recipient_canonical);
	m->virtual_alias = dict_list_close(m->virtual_alias);
}

/* cleanup_maps_changed - whether a table changed on disk */
bool
cleanup_maps_changed(const struct cleanup_maps *m)
{
	return (m->canonical != NULL && dict_list_changed(m->canonical))
	    || (m->sender_canonical != NULL
	    && dict_list_changed(m->sender_canonical))
	    || (m->recipient_canonical != NULL
	    && dict_list_changed(m->recipient_canonical))
	    || (m->virtual_alias != NULL
	    && dict_list_changed(m->virtual_alias));
}

/* cleanup_rewrite_stale - whether a table of the process changed */
static bool
cleanup_rewrite_stale(void)
{
	if (!cleanup_maps_changed(&cleanup_rewrite_tables))
		return false;
	log_info("a lookup table changed: exiting before the next "
	    "connection");
	return true;
}

/* cleanup_init_privileged - open the tables before the chroot; a process
 * whose tables changed takes no new connection */
void
cleanup_init_privileged(void)
{
	struct buf *why = buf_new(0);

	if (cleanup_maps_open(&cleanup_rewrite_tables, why) < 0)
		log_fatal("open lookup table: %s", buf_str(why));
	buf_free(why);
	server_pre_accept(cleanup_rewrite_stale);
}

/* cleanup_rewrite_maps - the process's tables */
struct cleanup_maps *
cleanup_rewrite_maps(void)
{
	return &cleanup_rewrite_tables;
}

/* cleanup_addrs_add - append a copy of addr */
static void
cleanup_addrs_add(struct cleanup_addrs *a, const char *addr)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 4;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(addr);
}

/* cleanup_addrs_has - whether addr is there (case-insensitively) */
static bool
cleanup_addrs_has(const struct cleanup_addrs *a, const char *addr)
{
	size_t  i;

	for (i = 0; i < a->n; i++)
		if (str_casecmp(a->v[i], addr) == 0)
			return true;
	return false;
}

/* cleanup_addrs_free - forget every address */
void
cleanup_addrs_free(struct cleanup_addrs *a)
{
	size_t  i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* cleanup_rewrite_qualify - append @myorigin to an address without '@' */
static void
cleanup_rewrite_qualify(struct buf *addr)
{
	if (buf_len(addr) == 0 || strchr(buf_str(addr), '@') != NULL
	    || *var_myorigin == '\0')
		return;
	/* a too long result fails the length check of the caller */
	(void)buf_append_char(addr, '@');
	(void)buf_append_str(addr, var_myorigin);
}

/* cleanup_rewrite_local - whether the domain of addr is local */
static bool
cleanup_rewrite_local(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return addr_find_domain_local(at != NULL ? at + 1 : "");
}

/* cleanup_rewrite_split - the addresses of a table value: separated by
 * commas and white space outside double quotes, "<addr>" unwrapped */
static void
cleanup_rewrite_split(const char *value, struct cleanup_addrs *out)
{
	struct buf *item = buf_new(0);
	const char *p;
	bool    quoted = false;
	size_t  len;

	for (p = value;; p++) {
		if (*p != '\0' && (quoted || strchr(", \t", *p) == NULL)) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '\\' && quoted && p[1] != '\0')
				(void)buf_append_char(item, *p++);
			(void)buf_append_char(item, *p);
			continue;
		}
		len = buf_len(item);
		if (len >= 2 && buf_str(item)[0] == '<'
		    && buf_str(item)[len - 1] == '>') {
			buf_consume(item, 1);
			buf_truncate(item, len - 2);
		}
		if (buf_len(item) > 0)
			cleanup_addrs_add(out, buf_str(item));
		buf_reset(item);
		if (*p == '\0')
			break;
	}
	buf_free(item);
}

/* cleanup_rewrite_result - a table result for address addr: "@domain"
 * keeps addr's local part; otherwise ext (when not NULL and not empty) is
 * put back after the local part; then the result is qualified */
static void
cleanup_rewrite_result(const char *addr, const char *result,
    const char *ext, struct buf *out)
{
	struct buf *local, *domain;
	const char *at;

	buf_reset(out);
	if (result[0] == '@') {
		local = buf_new(0);
		domain = buf_new(0);
		addr_split(addr, local, domain);
		(void)buf_append(out, buf_str(local), buf_len(local));
		(void)buf_append_str(out, result);
		buf_free(local);
		buf_free(domain);
		return;
	}
	if (ext != NULL && *ext != '\0' && *var_recipient_delimiter != '\0') {
		at = strrchr(result, '@');
		(void)buf_append(out, result, at != NULL
		    ? (size_t)(at - result) : strlen(result));
		(void)buf_append_char(out, *var_recipient_delimiter);
		(void)buf_append_str(out, ext);
		if (at != NULL)
			(void)buf_append_str(out, at);
	} else {
		(void)buf_append_str(out, result);
	}
	cleanup_rewrite_qualify(out);
}

/* cleanup_rewrite_map11 - one canonical table, applied once to addr (in
 * place); CLEANUP_RW_OK or an error */
static enum cleanup_rw
cleanup_rewrite_map11(struct dict_list *maps, const char *what,
    bool propagate, struct buf *addr, struct buf *why)
{
	struct cleanup_addrs vals = {0};
	struct buf *value, *ext, *out;
	enum cleanup_rw rc = CLEANUP_RW_OK;
	int     r;

	if (maps == NULL || buf_len(addr) == 0)
		return CLEANUP_RW_OK;
	value = buf_new(0);
	ext = buf_new(0);
	out = buf_new(0);
	r = addr_find(maps, buf_str(addr),
	    cleanup_rewrite_local(buf_str(addr)), var_recipient_delimiter,
	    value, ext, why);
	if (r < 0) {
		rc = CLEANUP_RW_LOOKUP;
	} else if (r > 0) {
		cleanup_rewrite_split(buf_str(value), &vals);
		if (vals.n == 0) {
			log_warn("%s: empty entry for %s: ignored", what,
			    buf_str(addr));
		} else {
			if (vals.n > 1)
				log_warn("%s: multi-valued entry for %s: "
				    "only the first value is used", what,
				    buf_str(addr));
			cleanup_rewrite_result(buf_str(addr), vals.v[0],
			    propagate ? buf_str(ext) : NULL, out);
			if (buf_len(out) > CLEANUP_ADDR_MAX) {
				buf_why(why, "%s: result for %s is longer "
				    "than %d bytes", what, buf_str(addr),
				    CLEANUP_ADDR_MAX);
				rc = CLEANUP_RW_LIMIT;
			} else {
				(void)buf_set(addr, buf_str(out));
			}
		}
	}
	cleanup_addrs_free(&vals);
	buf_free(value);
	buf_free(ext);
	buf_free(out);
	return rc;
}

/* cleanup_rewrite_sender - qualify (when asked) and canonicalize the
 * envelope sender into out; "" stays "" */
enum cleanup_rw
cleanup_rewrite_sender(const struct cleanup_maps *m, const char *sender,
    bool qualify, struct buf *out, struct buf *why)
{
	enum cleanup_rw rc;

	(void)buf_set(out, sender);
	if (*sender == '\0')
		return CLEANUP_RW_OK;
	if (qualify)
		cleanup_rewrite_qualify(out);
	rc = cleanup_rewrite_map11(m->sender_canonical,
	    "sender_canonical_maps", m->propagate_canonical, out, why);
	if (rc == CLEANUP_RW_OK)
		rc = cleanup_rewrite_map11(m->canonical, "canonical_maps",
		    m->propagate_canonical, out, why);
	return rc;
}

/* one address of a virtual alias expansion: where it came from */
struct cleanup_vnode {
	char   *addr;
	size_t  parent;		/* index of the node it came from */
	int	depth;		/* 0: the recipient itself */
};

/* cleanup_rewrite_in_chain - whether addr is node i or one it came from */
static bool
cleanup_rewrite_in_chain(const struct cleanup_vnode *nodes, size_t i,
    const char *addr)
{
	for (;;) {
		if (str_casecmp(nodes[i].addr, addr) == 0)
			return true;
		if (nodes[i].depth == 0)
			return false;
		i = nodes[i].parent;
	}
}

/* cleanup_rewrite_vnode - one result res of node i: kept when it is
 * the node itself (or was kept before), else queued for its own lookup
 * unless it closes a loop or passes a limit */
static enum cleanup_rw
cleanup_rewrite_vnode(struct cleanup_vnode *nodes, size_t *n,
    size_t max_nodes, size_t i, const char *res, struct cleanup_addrs *kept,
    struct cleanup_addrs *out, struct buf *why)
{
	const char *top = nodes[0].addr;

	if (strlen(res) > CLEANUP_ADDR_MAX) {
		buf_why(why, "virtual_alias_maps: result for %s is longer "
		    "than %d bytes", nodes[i].addr, CLEANUP_ADDR_MAX);
		return CLEANUP_RW_LIMIT;
	}
	if (str_casecmp(res, nodes[i].addr) == 0
	    || cleanup_addrs_has(kept, res)) {
		/* maps to itself: it stays, once */
		if (!cleanup_addrs_has(kept, res))
			cleanup_addrs_add(kept, res);
		if (!cleanup_addrs_has(out, res))
			cleanup_addrs_add(out, res);
		return CLEANUP_RW_OK;
	}
	if (cleanup_rewrite_in_chain(nodes, i, res)) {
		buf_why(why, "virtual_alias_maps: loop: %s expands to itself "
		    "through %s", res, nodes[i].addr);
		return CLEANUP_RW_LOOP;
	}
	if (nodes[i].depth + 1 > CLEANUP_VIRTUAL_DEPTH) {
		buf_why(why, "virtual_alias_maps: expansion of %s nested "
		    "deeper than %d", top, CLEANUP_VIRTUAL_DEPTH);
		return CLEANUP_RW_LIMIT;
	}
	if (*n >= max_nodes) {
		buf_why(why, "virtual_alias_maps: expansion of %s: more than "
		    "%zu addresses looked up", top, max_nodes);
		return CLEANUP_RW_LIMIT;
	}
	nodes[*n].addr = xstrdup(res);
	nodes[*n].parent = i;
	nodes[*n].depth = nodes[i].depth + 1;
	(*n)++;
	return CLEANUP_RW_OK;
}

/* cleanup_rewrite_virtual - expand addr through virtual_alias_maps
 * into out (appended, without duplicates) */
static enum cleanup_rw
cleanup_rewrite_virtual(const struct cleanup_maps *m, const char *addr,
    struct cleanup_addrs *out, struct buf *why)
{
	struct cleanup_vnode *nodes;
	struct cleanup_addrs vals = {0}, kept = {0};
	struct buf *value, *ext, *res;
	enum cleanup_rw rc = CLEANUP_RW_OK;
	size_t  n = 1, i, j, max_nodes;
	int     r;

	if (m->virtual_alias == NULL) {
		cleanup_addrs_add(out, addr);
		return CLEANUP_RW_OK;
	}
	max_nodes = (size_t)CLEANUP_VIRTUAL_RESULTS * CLEANUP_VIRTUAL_DEPTH;
	nodes = xcalloc(max_nodes, sizeof(*nodes));
	nodes[0].addr = xstrdup(addr);
	value = buf_new(0);
	ext = buf_new(0);
	res = buf_new(0);
	/* breadth first: a node's parent is always expanded before it */
	for (i = 0; i < n && rc == CLEANUP_RW_OK; i++) {
		r = addr_find(m->virtual_alias, nodes[i].addr,
		    cleanup_rewrite_local(nodes[i].addr),
		    var_recipient_delimiter, value, ext, why);
		if (r < 0) {
			rc = CLEANUP_RW_LOOKUP;
			break;
		}
		cleanup_addrs_free(&vals);
		if (r > 0)
			cleanup_rewrite_split(buf_str(value), &vals);
		if (vals.n == 0 && !cleanup_addrs_has(out, nodes[i].addr))
			cleanup_addrs_add(out, nodes[i].addr);
		for (j = 0; j < vals.n && rc == CLEANUP_RW_OK; j++) {
			cleanup_rewrite_result(nodes[i].addr, vals.v[j],
			    m->propagate_virtual ? buf_str(ext) : NULL, res);
			rc = cleanup_rewrite_vnode(nodes, &n, max_nodes, i,
			    buf_str(res), &kept, out, why);
		}
		if (rc == CLEANUP_RW_OK && out->n > CLEANUP_VIRTUAL_RESULTS) {
			buf_why(why, "virtual_alias_maps: %s expands to more "
			    "than %d addresses", addr,
			    CLEANUP_VIRTUAL_RESULTS);
			rc = CLEANUP_RW_LIMIT;
		}
	}
	for (i = 0; i < n; i++)
		free(nodes[i].addr);
	free(nodes);
	cleanup_addrs_free(&vals);
	cleanup_addrs_free(&kept);
	buf_free(value);
	buf_free(ext);
	buf_free(res);
	return rc;
}

/* cleanup_rewrite_rcpt - qualify (when asked), canonicalize and expand
 * one envelope recipient; out (reset) gets the final addresses */
enum cleanup_rw
cleanup_rewrite_rcpt(const struct cleanup_maps *m, const char *rcpt,
    bool qualify, struct cleanup_addrs *out, struct buf *why)
{
	struct buf *addr = buf_new(0);
	enum cleanup_rw rc;

	cleanup_addrs_free(out);
	(void)buf_set(addr, rcpt);
	if (qualify)
		cleanup_rewrite_qualify(addr);
	rc = cleanup_rewrite_map11(m->recipient_canonical,
	    "recipient_canonical_maps", m->propagate_canonical, addr, why);
	if (rc == CLEANUP_RW_OK)
		rc = cleanup_rewrite_map11(m->canonical, "canonical_maps",
		    m->propagate_canonical, addr, why);
	if (rc == CLEANUP_RW_OK)
		rc = cleanup_rewrite_virtual(m, buf_str(addr), out, why);
	if (rc != CLEANUP_RW_OK)
		cleanup_addrs_free(out);
	buf_free(addr);
	return rc;
}
