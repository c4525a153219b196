/*
 * json.c - the JSON documents of `--format json` (docs/json.md): the
 * document's head, one revision as an object, any text as a JSON string,
 * and printing the document.  Written with jansson, never by hand.
 */
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "cli.h"

int cli_format_option(struct cli *cli, const char *value)
{
	static const char *const formats[] = { "text", "json", NULL };

	return cli_choice(cli, "--format", value, formats);
}

int cli_format_only(struct cli *cli, int *json)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = cli_getopt(cli, "", opts)) != -1) {
		if (c != 'F')
			return cli_bad_option(cli, c);
		if ((*json = cli_format_option(cli, optarg)) < 0)
			return EXIT_USAGE;
	}
	return -1;
}

json_t *cli_json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *end;
	json_t *j = json_string((const char *)p);
	char *fixed, *q;
	int n;

	/* json_string() returns NULL for text that is not UTF-8 (a tenant
	 * name from a registry in another encoding, a message in Latin-1),
	 * and the key it was for would silently be missing: each byte that
	 * is not part of a valid sequence becomes U+FFFD instead */
	if (j)
		return j;
	end = p + strlen((const char *)p);
	fixed = q = cli_realloc(NULL, 3 * (size_t)(end - p) + 1);
	while (*p) {
		/* libunistring's test: a well-formed sequence (RFC 3629) or -1 */
		if ((n = u8_mblen(p, (size_t)(end - p))) > 0) {
			memcpy(q, p, (size_t)n);
			q += n;
			p += n;
		} else {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			p++;
		}
	}
	*q = '\0';
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_string("");
}

json_t *cli_json_text_or_null(const char *s)
{
	return s && *s ? cli_json_text(s) : json_null();
}

json_t *cli_json_strings(const retort_strarray *list)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; list && i < list->count; i++)
		json_array_append_new(a, cli_json_text(list->strings[i]));
	return a;
}

json_t *cli_json_doc(const char *command)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "format_version", json_integer(CLI_JSON_VERSION));
	json_object_set_new(doc, "command", json_string(command));
	return doc;
}

int cli_json_print(json_t *doc)
{
	int rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (rc < 0 || putchar('\n') == EOF || fflush(stdout) == EOF) {
		cli_error("cannot write the JSON document to stdout");
		return 1;
	}
	return 0;
}

/* Print `item` as an element of a list at depth 2 of the document: its
 * lines indented four more, as jansson's JSON_INDENT(2) puts them. */
static int print_element(json_t *item)
{
	char *text = json_dumps(item, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *p, *nl;
	int rc = 0;

	json_decref(item);
	if (!text)
		cli_oom();
	for (p = text; rc >= 0 && p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		rc = printf("    %.*s%s", nl ? (int)(nl - p) : (int)strlen(p), p, nl ? "\n" : "");
	}
	free(text);
	return rc < 0 ? -1 : 0;
}

int cli_json_print_revs(json_t *doc, const char *key, const retort_revlist *list,
			const retort_strarray *current)
{
	char *text, *at, mark[64];
	size_t i;
	int rc;

	/* the document is printed around a mark where the list goes, so
	 * that one revision's object at a time is in memory (a history of
	 * 100,000 revisions would take hundreds of MiB as one tree); a
	 * string of the document cannot hold a raw newline, so the mark is
	 * found at its place alone */
	snprintf(mark, sizeof(mark), "\n  \"%s\": \"\\u0001\"", key);
	json_object_set_new(doc, key, json_string("\x01"));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text)
		cli_oom();
	at = strstr(text, mark);
	rc = printf("%.*s\n  \"%s\": [", (int)(at - text), text, key) < 0 ? -1 : 0;
	for (i = 0; rc >= 0 && i < list->count; i++) {
		rc = fputs(i ? ",\n" : "\n", stdout) < 0 ? -1 : 0;
		if (rc >= 0)
			rc = print_element(cli_json_rev(list->revs[i], current));
	}
	if (rc >= 0 && printf("%s]%s\n", list->count ? "\n  " : "", at + strlen(mark)) < 0)
		rc = -1;
	free(text);
	if (rc < 0 || fflush(stdout) == EOF) {
		cli_error("cannot write the JSON document to stdout");
		return 1;
	}
	return 0;
}

/* ---- revisions ----------------------------------------------------------- */

/* The ids of the n revisions get(rev, i) gives. */
static json_t *rev_ids(const retort_rev *rev, size_t n,
		       const retort_rev *(*get)(const retort_rev *, size_t))
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_text(retort_rev_id(get(rev, i))));
	return a;
}

static json_t *rev_labels(const retort_rev *rev, size_t n,
			  const char *(*get)(const retort_rev *, size_t))
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_text(get(rev, i)));
	return a;
}

json_t *cli_json_rev(const retort_rev *rev, const retort_strarray *current)
{
	json_t *o = json_object();
	unsigned int flags = retort_rev_flags(rev);

	json_object_set_new(o, "id", cli_json_text(retort_rev_id(rev)));
	json_object_set_new(o, "message", cli_json_text(retort_rev_message(rev)));
	json_object_set_new(o, "parents", rev_ids(rev, retort_rev_nparents(rev), retort_rev_parent));
	json_object_set_new(o, "depends_on",
			    rev_ids(rev, retort_rev_ndepends(rev), retort_rev_depends));
	json_object_set_new(o, "children",
			    rev_ids(rev, retort_rev_nchildren(rev), retort_rev_child));
	json_object_set_new(o, "dependents",
			    rev_ids(rev, retort_rev_ndependents(rev), retort_rev_dependent));
	json_object_set_new(o, "branch_labels",
			    rev_labels(rev, retort_rev_nlabels(rev), retort_rev_label));
	json_object_set_new(o, "branches",
			    rev_labels(rev, retort_rev_nbranches(rev), retort_rev_branch));
	json_object_set_new(o, "path", cli_json_text(retort_rev_path(rev)));
	json_object_set_new(o, "create_date", cli_json_text_or_null(retort_rev_create_date(rev)));
	json_object_set_new(o, "is_head", json_boolean(flags & RETORT_REV_HEAD));
	json_object_set_new(o, "is_base", json_boolean(flags & RETORT_REV_BASE));
	json_object_set_new(o, "is_branchpoint", json_boolean(flags & RETORT_REV_BRANCHPOINT));
	json_object_set_new(o, "is_mergepoint", json_boolean(flags & RETORT_REV_MERGEPOINT));
	/* only a command that read the version table knows */
	if (current)
		json_object_set_new(o, "is_current",
				    json_boolean(cli_is_current(current, retort_rev_id(rev))));
	return o;
}

json_t *cli_json_revs(const retort_revlist *list, const retort_strarray *current)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < list->count; i++)
		json_array_append_new(a, cli_json_rev(list->revs[i], current));
	return a;
}

json_t *cli_json_failure(const retort_failure *f)
{
	json_t *o;

	if (!f)
		return json_null();
	o = json_object();
	json_object_set_new(o, "revision", cli_json_text(f->revision));
	json_object_set_new(o, "direction",
			    json_string(f->direction == RETORT_DOWN ? "downgrade" : "upgrade"));
	json_object_set_new(o, "statement", json_integer((json_int_t)f->statements_done + 1));
	json_object_set_new(o, "statements_done", json_integer((json_int_t)f->statements_done));
	json_object_set_new(o, "interrupted", json_boolean(f->interrupted));
	json_object_set_new(o, "error", cli_json_text_or_null(f->error));
	return o;
}
