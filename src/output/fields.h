/* fields: the field registry generated from fields.def (see its header).
 * Call sites name a field F(cname); its descriptor is typed by the field's
 * JSON type, so ev_str(e, F(fid), ...) does not compile. */
#ifndef SMBSCOPE_FIELDS_H
#define SMBSCOPE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

/* the `schema` every record carries; bump when a key changes meaning or goes
 * away (README "JSON" says what changed) */
#define FIELDS_SCHEMA_VERSION 2

enum fld_type { FT_STR, FT_IP, FT_TS, FT_UINT, FT_INT, FT_BOOL, FT_STRV, FT_RANGES, FT_OBJ, FT_MAP };
enum fld_display { FD_PLAIN, FD_HEX };

/* a value check: a closed set, a pattern or an unsigned maximum (else none) */
struct fld_check {
    const char *name;
    const char *pattern;
    const char *const *values;   /* NULL-terminated */
    uint64_t umax;               /* 0: none */
};

struct fdesc {
    const char *cname;           /* the C name (F(cname)) */
    const char *name;            /* the JSON key */
    enum fld_type type;
    enum fld_display display;
    const struct fld_check *check;  /* values of STR/UINT/STRV, keys of MAP */
    int child;                   /* OBJ: the scope of its keys; else -1 */
    int id;                      /* index in fld_all, -1 for ad hoc (test) descriptors */
};

/* one struct per C value kind: the adders take the matching one */
struct fld_t_str { struct fdesc d; };     /* STR, IP */
struct fld_t_ts { struct fdesc d; };      /* TS: a time in microseconds, written as RFC 3339 */
struct fld_t_uint { struct fdesc d; };
struct fld_t_int { struct fdesc d; };
struct fld_t_bool { struct fdesc d; };
struct fld_t_strv { struct fdesc d; };
struct fld_t_ranges { struct fdesc d; };
struct fld_t_obj { struct fdesc d; };
struct fld_t_map { struct fdesc d; };
#define FLD_CT_STR fld_t_str
#define FLD_CT_IP fld_t_str
#define FLD_CT_TS fld_t_ts
#define FLD_CT_UINT fld_t_uint
#define FLD_CT_INT fld_t_int
#define FLD_CT_BOOL fld_t_bool
#define FLD_CT_STRV fld_t_strv
#define FLD_CT_RANGES fld_t_ranges
#define FLD_CT_OBJ fld_t_obj
#define FLD_CT_MAP fld_t_map

#define FIELDS_NOOP_RECORD(scope, ev, conn, doc)
#define FIELDS_NOOP_OBJECT(scope, doc)
#define FIELDS_NOOP_VALUES(check, ...)
#define FIELDS_NOOP_PATTERN(check, re)
#define FIELDS_NOOP_UMAX(check, max)
#define FIELDS_NOOP_FIELD(cname, json, type, display, x)
#define FIELDS_NOOP_IN(scope, cname, flags, when, doc)
#define FIELDS_NOOP_COND(cond, scope, cname, check)

/* scopes: record types first, then objects */
enum fld_scope {
#define RECORD(scope, ev, conn, doc) SC_##scope,
#define OBJECT(scope, doc) SC_##scope,
#define VALUES FIELDS_NOOP_VALUES
#define PATTERN FIELDS_NOOP_PATTERN
#define UMAX FIELDS_NOOP_UMAX
#define FIELD FIELDS_NOOP_FIELD
#define IN FIELDS_NOOP_IN
#define COND FIELDS_NOOP_COND
#include "fields.def"
#undef RECORD
#undef OBJECT
    SC_COUNT
};

enum fld_id {
#define RECORD FIELDS_NOOP_RECORD
#define OBJECT FIELDS_NOOP_OBJECT
#undef FIELD
#define FIELD(cname, json, type, display, x) FI_##cname,
#include "fields.def"
#undef FIELD
#define FIELD FIELDS_NOOP_FIELD
    FI_COUNT
};

enum fld_cond_id {
    FC_ANY = -1,
#undef COND
#define COND(cond, scope, cname, check) FC_##cond,
#include "fields.def"
#undef COND
#define COND FIELDS_NOOP_COND
    FC_COUNT
};

/* the descriptors: fld_<cname>, typed */
#undef FIELD
#define FIELD(cname, json, type, display, x) extern const struct FLD_CT_##type fld_##cname;
#include "fields.def"
#undef FIELD
#undef RECORD
#undef OBJECT
#undef VALUES
#undef PATTERN
#undef UMAX
#undef IN
#undef COND

/* the descriptor of a declared field: a misspelt name does not compile */
#define F(cname) (&fld_##cname)

/* member flags (IN lines) */
enum { FM_R = 1, FM_N = 2, FM_H = 4 };

struct fld_member {
    int scope;
    const struct fdesc *d;
    unsigned flags;
    int when;                    /* FC_ANY or a condition */
    const char *doc;
};

struct fld_scope_info {
    const char *name;
    int record;                  /* 1: a record type, its event type in ev_type */
    int ev_type;
    int with_conn;               /* record carries `conn` */
    int conn_absent_when;        /* FC_ANY, or the condition under which it has none (WITH_CONN_UNLESS) */
    const char *doc;
};

struct fld_cond {
    const char *name;
    int scope;
    const struct fdesc *d;
    const struct fld_check *check;
};

extern const struct fld_scope_info fld_scopes[SC_COUNT];
extern const struct fdesc *const fld_all[FI_COUNT];
extern const struct fld_member fld_members[];
extern const size_t fld_n_members;
extern const struct fld_cond fld_conds[];
extern const struct fld_check fld_check_record_type;

/* the member line of d in scope, or NULL when scope does not declare it */
const struct fld_member *fld_member(int scope, const struct fdesc *d);
/* the scope of an event type's top level */
int fld_record_scope(int ev_type);
const char *fld_type_name(enum fld_type t);

#endif
