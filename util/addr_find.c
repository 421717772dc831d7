/* addr_find.c - Postfix's table search order for mail addresses
 *
 * One implementation of the key sequence of util/addr_find.h, used by
 * smtpd's recipient checks and cleanup's canonical and virtual alias
 * rewriting, so that both agree on which entry an address hits. The
 * address comes from a peer but was bounded by the caller (a few KB at
 * most); keys are built in buffers of DICT_MAX_KEY and a key that does
 * not fit is simply not looked up (no table can hold it).
 */
#include "addr_find.h"
#include "addr.h"
#include "buf.h"
#include "dict.h"
#include "params.h"
#include "str.h"

/* addr_find_key - look one key up; 1, 0 or -1 */
static int
addr_find_key(struct dict_list *maps, const struct buf *key,
    struct buf *value, struct buf *why)
{
	if (buf_len(key) == 0 || buf_len(key) > DICT_MAX_KEY)
		return 0;
	return dict_list_lookup(maps, buf_str(key), value, why);
}

/* addr_find_try - build "local[@domain]" into key and look it up */
static int
addr_find_try(struct dict_list *maps, struct buf *key, const char *local,
    const char *domain, struct buf *value, struct buf *why)
{
	buf_reset(key);
	if (buf_append_str(key, local) < 0)
		return 0;
	if (domain != NULL && (buf_append_char(key, '@') < 0
	    || buf_append_str(key, domain) < 0))
		return 0;
	return addr_find_key(maps, key, value, why);
}

/* addr_find - the search of addr_find.h */
int
addr_find(struct dict_list *maps, const char *addr, bool local,
    const char *delims, struct buf *value, struct buf *ext,
    struct buf *why)
{
	struct buf *lp, *dom, *base, *tag, *key;
	bool    has_at = strchr(addr, '@') != NULL;
	const char *d;
	int     r;

	if (ext != NULL)
		buf_reset(ext);
	if (maps == NULL)
		return 0;
	lp = buf_new(DICT_MAX_KEY + 1);
	dom = buf_new(DICT_MAX_KEY + 1);
	base = buf_new(DICT_MAX_KEY + 1);
	tag = buf_new(DICT_MAX_KEY + 1);
	key = buf_new(DICT_MAX_KEY + 1);
	addr_split(addr, lp, dom);
	(void)buf_set(base, buf_str(lp));
	addr_strip_extension(base, delims, tag);
	d = has_at ? buf_str(dom) : NULL;
	if (!has_at)
		local = true;
	/* user+ext@domain, user@domain */
	if (has_at && (r = addr_find_try(maps, key, buf_str(lp), d, value,
	    why)) != 0)
		goto done;
	if (has_at && buf_len(tag) > 0 && (r = addr_find_try(maps, key,
	    buf_str(base), d, value, why)) != 0) {
		if (r > 0 && ext != NULL)
			(void)buf_set(ext, buf_str(tag));
		goto done;
	}
	/* user+ext, user */
	if (local && (r = addr_find_try(maps, key, buf_str(lp), NULL, value,
	    why)) != 0)
		goto done;
	if (local && buf_len(tag) > 0 && (r = addr_find_try(maps, key,
	    buf_str(base), NULL, value, why)) != 0) {
		if (r > 0 && ext != NULL)
			(void)buf_set(ext, buf_str(tag));
		goto done;
	}
	/* @domain */
	r = 0;
	if (has_at && buf_len(dom) > 0)
		r = addr_find_try(maps, key, "", buf_str(dom), value, why);

done:
	buf_free(lp);
	buf_free(dom);
	buf_free(base);
	buf_free(tag);
	buf_free(key);
	return r;
}

/* addr_find_domain_local - where "user" keys apply */
bool
addr_find_domain_local(const char *domain)
{
	return *domain == '\0' || str_casecmp(domain, "localhost") == 0
	    || str_casecmp(domain, var_myorigin) == 0
	    || params_list_has(var_mydestination, domain);
}
