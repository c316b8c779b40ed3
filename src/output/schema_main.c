/* smbscope-schema: writes what is generated from the field registry
 * (src/output/fields.def): the JSON Schema of the NDJSON records, the
 * Elasticsearch/OpenSearch index template and the fields reference
 * (docs/fields.md). The test suite fails when the committed copies differ;
 * `build/smbscope-schema --write .` regenerates them. It also checks the
 * registry itself: no key twice in one object, one index type per path. */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

static bool is_str(enum fld_type t) { return t == FT_STR || t == FT_IP || t == FT_TS; }

/* ---- JSON Schema ---- */

static json_t *uint_schema(uint64_t max, bool nullable)
{
    /* JSON consumers read signed 64-bit at best: the sink saturates there */
    json_t *s = json_object();
    json_object_set_new(s, "type", nullable ? json_pack("[ss]", "integer", "null") : json_string("integer"));
    json_object_set_new(s, "minimum", json_integer(0));
    json_object_set_new(s, "maximum", json_integer(max ? (json_int_t)max : INT64_MAX));
    return s;
}

static json_t *str_check(json_t *s, const struct fld_check *c, bool nullable)
{
    if (c && c->values) {
        json_t *e = json_array();
        for (const char *const *v = c->values; *v; v++)
            json_array_append_new(e, json_string(*v));
        if (nullable)
            json_array_append_new(e, json_null());
        json_object_set_new(s, "enum", e);
    }
    if (c && c->pattern)
        json_object_set_new(s, "pattern", json_string(c->pattern));
    return s;
}

static json_t *value_schema(const struct fld_member *m)
{
    const struct fdesc *d = m->d;
    bool nul = m->flags & FM_N;
    json_t *s;
    switch (d->type) {
    case FT_STR:
    case FT_IP:
    case FT_TS:
        s = json_object();
        json_object_set_new(s, "type", nul ? json_pack("[ss]", "string", "null") : json_string("string"));
        if (d->type == FT_TS) /* every time is RFC 3339 UTC with microseconds, like ts */
            json_object_set_new(s, "format", json_string("date-time"));
        str_check(s, d->check, nul);
        break;
    case FT_UINT:
        s = uint_schema(d->check ? d->check->umax : 0, nul);
        break;
    case FT_INT:
        s = json_pack("{s:o}", "type", nul ? json_pack("[ss]", "integer", "null") : json_string("integer"));
        break;
    case FT_BOOL:
        s = json_pack("{s:o}", "type", nul ? json_pack("[ss]", "boolean", "null") : json_string("boolean"));
        break;
    case FT_STRV:
        s = json_pack("{s:s, s:o}", "type", "array", "items", str_check(json_pack("{s:s}", "type", "string"), d->check, false));
        break;
    case FT_RANGES:
        s = json_pack("{s:s}", "$ref", "#/$defs/ranges");
        break;
    case FT_OBJ: {
        char ref[96];
        snprintf(ref, sizeof ref, "#/$defs/%s", fld_scopes[d->child].name);
        s = json_pack("{s:s}", "$ref", ref);
        break;
    }
    case FT_MAP:
    default:
        s = json_pack("{s:s, s:o, s:o}", "type", "object", "propertyNames", str_check(json_object(), d->check, false),
                      "additionalProperties", uint_schema(0, false));
        break;
    }
    json_object_set_new(s, "description", json_string(m->doc));
    return s;
}

/* properties and required keys of scope's members (when: FC_ANY or a condition) */
static void add_members(json_t *props, json_t *req, int scope)
{
    for (size_t i = 0; i < fld_n_members; i++) {
        const struct fld_member *m = &fld_members[i];
        if (m->scope != scope)
            continue;
        json_object_set_new(props, m->d->name, value_schema(m));
        if ((m->flags & FM_R) && m->when == FC_ANY)
            json_array_append_new(req, json_string(m->d->name));
    }
}

static json_t *conditions(int scope)
{
    json_t *all = json_array();
    for (int c = 0; c < FC_COUNT; c++) {
        const struct fld_cond *fc = &fld_conds[c];
        if (fc->scope != scope)
            continue;
        json_t *vals = json_array(), *req = json_array(), *forbid = json_object();
        for (const char *const *v = fc->check->values; *v; v++)
            json_array_append_new(vals, json_string(*v));
        for (size_t i = 0; i < fld_n_members; i++) {
            const struct fld_member *m = &fld_members[i];
            if (m->scope != scope || m->when != c)
                continue;
            if (m->flags & FM_R)
                json_array_append_new(req, json_string(m->d->name));
            json_object_set_new(forbid, m->d->name, json_false());
        }
        json_t *cond = json_pack("{s:{s:{s:o}}, s:[s]}", "properties", fc->d->name, "enum", vals, "required", fc->d->name);
        json_t *then = json_pack("{s:o}", "required", req), *els = json_pack("{s:o}", "properties", forbid);
        if (fld_scopes[scope].conn_absent_when == c) {
            /* a run-level record: no conn exactly when the condition holds */
            json_object_set_new(then, "properties", json_pack("{s:b}", fld_conn.d.name, 0));
            json_object_set_new(els, "required", json_pack("[s]", fld_conn.d.name));
        }
        json_array_append_new(all, json_pack("{s:s, s:o, s:o, s:o}", "description", fc->name, "if", cond, "then",
                                             then, "else", els));
    }
    return all;
}

static json_t *record_schema(int sc)
{
    const struct fld_scope_info *si = &fld_scopes[sc];
    json_t *props = json_object(), *req = json_array();
    for (size_t i = 0; i < fld_n_members; i++) {
        const struct fld_member *m = &fld_members[i];
        if (m->scope != SC_envelope || (m->d == &fld_conn.d && !si->with_conn))
            continue;
        json_t *v;
        if (m->d == &fld_schema.d)
            v = json_pack("{s:i, s:s}", "const", FIELDS_SCHEMA_VERSION, "description", m->doc);
        else if (m->d == &fld_type.d)
            v = json_pack("{s:s, s:s}", "const", si->name, "description", m->doc);
        else
            v = value_schema(m);
        json_object_set_new(props, m->d->name, v);
        /* sensor: only with --sensor; conn of a record that may be run-level: see conditions() */
        if ((m->flags & FM_R) && !(m->d == &fld_conn.d && si->conn_absent_when != FC_ANY))
            json_array_append_new(req, json_string(m->d->name));
    }
    add_members(props, req, sc);
    json_t *s = json_pack("{s:s, s:s, s:o, s:o, s:b}", "description", si->doc, "type", "object", "required", req,
                          "properties", props, "additionalProperties", 0);
    json_t *c = conditions(sc);
    if (json_array_size(c))
        json_object_set_new(s, "allOf", c);
    else
        json_decref(c);
    return s;
}

static json_t *object_schema(int sc)
{
    json_t *props = json_object(), *req = json_array();
    add_members(props, req, sc);
    return json_pack("{s:s, s:s, s:o, s:o, s:b}", "description", fld_scopes[sc].doc, "type", "object", "required", req,
                     "properties", props, "additionalProperties", 0);
}

static json_t *schema(void)
{
    char title[64];
    snprintf(title, sizeof title, "smbscope NDJSON record, schema %d", FIELDS_SCHEMA_VERSION);
    json_t *types = json_array(), *all = json_array(), *defs = json_object();
    for (int sc = 0; sc < SC_COUNT; sc++) {
        if (!fld_scopes[sc].record)
            continue;
        char ref[96];
        snprintf(ref, sizeof ref, "#/$defs/%s", fld_scopes[sc].name);
        json_array_append_new(types, json_string(fld_scopes[sc].name));
        json_array_append_new(all, json_pack("{s:{s:{s:{s:s}}}, s:{s:s}}", "if", "properties", "type", "const",
                                             fld_scopes[sc].name, "then", "$ref", ref));
        json_object_set_new(defs, fld_scopes[sc].name, record_schema(sc));
    }
    for (int sc = 0; sc < SC_COUNT; sc++)
        if (!fld_scopes[sc].record && sc != SC_envelope)
            json_object_set_new(defs, fld_scopes[sc].name, object_schema(sc));
    json_object_set_new(defs, "ranges",
                        json_pack("{s:s, s:s, s:{s:s, s:[o,o], s:i, s:i, s:b}}", "description",
                                  "merged [start, end) byte ranges", "type", "array", "items", "type", "array",
                                  "prefixItems", uint_schema(0, false), uint_schema(0, false), "minItems", 2,
                                  "maxItems", 2, "items", 0));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s,s,s], s:{s:{s:o}}, s:o, s:o}",
                     "$schema", "https://json-schema.org/draft/2020-12/schema", "$id", "smbscope.schema.json",
                     "title", title, "description",
                     "One JSON object per line. Generated from src/output/fields.def by smbscope-schema: every record "
                     "type is closed (no key but the declared ones), closed value sets are enums.",
                     "type", "object", "required", "schema", "type", "ts", "properties", "type", "enum", types,
                     "allOf", all, "$defs", defs);
}

/* ---- index template ---- */

static json_t *mapping_of(int scope, bool *ok);

static json_t *field_mapping(const struct fdesc *d, bool *ok)
{
    switch (d->type) {
    case FT_STR:
    case FT_STRV:
        /* past this many bytes a value is kept in _source but not indexed */
        return json_pack("{s:s, s:i}", "type", "keyword", "ignore_above", 8191);
    case FT_IP: return json_pack("{s:s}", "type", "ip");
    /* date_nanos keeps the microseconds every ts carries (date keeps milliseconds) */
    case FT_TS: return json_pack("{s:s}", "type", "date_nanos");
    case FT_UINT:
    case FT_INT:
    case FT_RANGES: return json_pack("{s:s}", "type", "long");
    case FT_BOOL: return json_pack("{s:s}", "type", "boolean");
    case FT_OBJ: return json_pack("{s:o}", "properties", mapping_of(d->child, ok));
    case FT_MAP: return json_pack("{s:s, s:b}", "type", "object", "dynamic", 1);
    }
    return json_null();
}

/* every key of scope into props; a key mapped two ways clears *ok */
static void merge(json_t *props, int scope, bool *ok)
{
    for (size_t i = 0; i < fld_n_members; i++) {
        const struct fld_member *m = &fld_members[i];
        if (m->scope != scope)
            continue;
        json_t *mp = field_mapping(m->d, ok), *old = json_object_get(props, m->d->name);
        if (old && !json_equal(old, mp)) {
            fprintf(stderr, "smbscope-schema: %s.%s maps to two index types\n", fld_scopes[scope].name, m->d->name);
            *ok = false;
        }
        json_object_set_new(props, m->d->name, mp);
    }
}

static json_t *mapping_of(int scope, bool *ok)
{
    json_t *props = json_object();
    merge(props, scope, ok);
    return props;
}

static json_t *index_template(bool *ok)
{
    json_t *props = json_object();
    merge(props, SC_envelope, ok);
    for (int sc = 0; sc < SC_COUNT; sc++)
        if (fld_scopes[sc].record)
            merge(props, sc, ok);
    return json_pack("{s:[s], s:i, s:i, s:{s:{s:s, s:{s:s, s:i}, s:o}}}", "index_patterns", "smbscope-*",
                     "priority", 100, "version", FIELDS_SCHEMA_VERSION, "template", "mappings", "dynamic", "strict",
                     "_meta", "generated_from", "src/output/fields.def", "schema", FIELDS_SCHEMA_VERSION, "properties",
                     props);
}

/* ---- markdown ---- */

static void md_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '<' || *s == '*' || *s == '_' || *s == '[')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static void md_type(FILE *f, const struct fld_member *m)
{
    const struct fdesc *d = m->d;
    if (d->type == FT_OBJ)
        fprintf(f, "object (`%s`)", fld_scopes[d->child].name);
    else if (d->type == FT_MAP)
        fputs("map of uint", f);
    else
        fputs(fld_type_name(d->type), f);
    if (d->display == FD_HEX)
        fputs(" (text: hex)", f);
    if (m->flags & FM_N)
        fputs(" or null", f);
}

static void md_check(FILE *f, const struct fdesc *d)
{
    const struct fld_check *c = d->check;
    if (!c)
        return;
    if (c->values) {
        fputs(d->type == FT_MAP ? " Keys: " : " One of: ", f);
        for (const char *const *v = c->values; *v; v++)
            fprintf(f, "%s`%s`", v == c->values ? "" : ", ", *v);
        fputc('.', f);
    } else if (c->pattern) {
        fprintf(f, " %s `", d->type == FT_MAP ? "Keys match" : "Matches");
        for (const char *p = c->pattern; *p; p++)
            fputs(*p == '|' ? "\\|" : (char[]){*p, 0}, f);
        fputs("`.", f);
    } else if (c->umax) {
        fprintf(f, " At most %" PRIu64 ".", c->umax);
    }
}

static void markdown(FILE *f)
{
    fprintf(f, "# smbscope record fields (schema %d)\n\n", FIELDS_SCHEMA_VERSION);
    fputs("Generated from `src/output/fields.def` by `smbscope-schema --markdown` (the test suite fails when this\n"
          "file differs; regenerate with `build/smbscope-schema --write .`). Every key smbscope writes is\n"
          "here; `smbscope.schema.json` rejects any other. *always*: written in every record of the type;\n"
          "*sometimes*: only when it applies; *when ...*: exactly when the condition holds; (text: hex):\n"
          "the text transcript shows it as 0x...; *head*: the text transcript shows it at the start of the\n"
          "line, not as key=value.\n",
          f);
    for (int sc = 0; sc < SC_COUNT; sc++) {
        const struct fld_scope_info *si = &fld_scopes[sc];
        fprintf(f, "\n## %s `%s`\n\n", si->record ? "Record" : "Object", si->name);
        md_escape(f, si->doc);
        if (si->record)
            fprintf(f, " Also the envelope keys (`schema`, `type`, `ts`%s; `sensor` with --sensor",
                    si->with_conn ? ", `conn`" : "");
        if (si->record && si->conn_absent_when != FC_ANY) {
            const struct fld_cond *c = &fld_conds[si->conn_absent_when];
            fprintf(f, "; no `conn` when %s is ", c->d->name);
            for (const char *const *v = c->check->values; *v; v++)
                fprintf(f, "%s`%s`", v == c->check->values ? "" : " or ", *v);
        }
        if (si->record)
            fputs(").", f);
        fputs("\n\n| key | type | written | meaning |\n|---|---|---|---|\n", f);
        for (size_t i = 0; i < fld_n_members; i++) {
            const struct fld_member *m = &fld_members[i];
            if (m->scope != sc)
                continue;
            fprintf(f, "| `%s` | ", m->d->name);
            md_type(f, m);
            fputs(" | ", f);
            if (m->when != FC_ANY) {
                const struct fld_cond *c = &fld_conds[m->when];
                fprintf(f, "%s when %s is ", m->flags & FM_R ? "always" : "sometimes", c->d->name);
                for (const char *const *v = c->check->values; *v; v++)
                    fprintf(f, "%s`%s`", v == c->check->values ? "" : " or ", *v);
            } else {
                fputs(m->flags & FM_R ? "always" : "sometimes", f);
            }
            if (m->flags & FM_H)
                fputs(", head", f);
            fputs(" | ", f);
            md_escape(f, m->doc);
            md_check(f, m->d);
            fputs(" |\n", f);
        }
    }
}

/* ---- registry checks ---- */

static bool registry_ok(void)
{
    bool ok = true;
    for (size_t i = 0; i < fld_n_members; i++)
        for (size_t j = i + 1; j < fld_n_members; j++)
            if (fld_members[i].scope == fld_members[j].scope &&
                strcmp(fld_members[i].d->name, fld_members[j].d->name) == 0) {
                fprintf(stderr, "smbscope-schema: %s declares key %s twice\n", fld_scopes[fld_members[i].scope].name,
                        fld_members[i].d->name);
                ok = false;
            }
    for (size_t i = 0; i < fld_n_members; i++) {
        const struct fld_member *m = &fld_members[i];
        if (fld_member(m->scope, m->d) != m) {
            fprintf(stderr, "smbscope-schema: member table broken at %s.%s\n", fld_scopes[m->scope].name, m->d->name);
            ok = false;
        }
        if (m->when != FC_ANY && fld_conds[m->when].scope != m->scope) {
            fprintf(stderr, "smbscope-schema: %s.%s: condition of another scope\n", fld_scopes[m->scope].name,
                    m->d->name);
            ok = false;
        }
        if (m->d->type == FT_MAP && m->d->check && !m->d->check->values && !m->d->check->pattern) {
            fprintf(stderr, "smbscope-schema: map %s has no key check\n", m->d->name);
            ok = false;
        }
        if (!is_str(m->d->type) && m->d->type != FT_STRV && m->d->type != FT_MAP && m->d->check &&
            (m->d->check->values || m->d->check->pattern)) {
            fprintf(stderr, "smbscope-schema: %s: a string check on a non-string\n", m->d->name);
            ok = false;
        }
    }
    for (int f = 0; f < FI_COUNT; f++) {
        bool used = false;
        for (size_t i = 0; i < fld_n_members && !used; i++)
            used = fld_members[i].d == fld_all[f];
        if (!used) {
            fprintf(stderr, "smbscope-schema: field %s is in no record or object\n", fld_all[f]->cname);
            ok = false;
        }
    }
    return ok;
}

static bool dump(json_t *j, FILE *f)
{
    bool ok = json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF;
    json_decref(j);
    return ok;
}

static bool write_file(const char *dir, const char *name, int what, bool *mok)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return false;
    }
    bool ok = what == 0 ? dump(schema(), f) : what == 1 ? dump(index_template(mok), f) : (markdown(f), true);
    return fclose(f) == 0 && ok;
}

int main(int argc, char **argv)
{
    if (!registry_ok())
        return 1;
    bool ok = true, mok = true;
    if (argc == 2 && strcmp(argv[1], "--schema") == 0)
        ok = dump(schema(), stdout);
    else if (argc == 2 && strcmp(argv[1], "--template") == 0)
        ok = dump(index_template(&mok), stdout);
    else if (argc == 2 && strcmp(argv[1], "--markdown") == 0)
        markdown(stdout);
    else if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < fld_n_members; i++)
            printf("%s %s\n", fld_scopes[fld_members[i].scope].name, fld_members[i].d->name);
    } else if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        ok = write_file(argv[2], "smbscope.schema.json", 0, &mok) &&
             write_file(argv[2], "smbscope-index-template.json", 1, &mok) && write_file(argv[2], "docs/fields.md", 2, &mok);
    } else {
        fprintf(stderr, "usage: smbscope-schema --schema | --template | --markdown | --list | --write SRCDIR\n");
        return 2;
    }
    return ok && mok && fflush(stdout) == 0 ? 0 : 1;
}
