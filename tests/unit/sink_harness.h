/* sink_harness: drive a sink (out_text.c, out_json.c) into memory and get its
 * exact bytes back; fixed connections and times so expected lines are literal.
 * Header-only: each sink test is one binary with the real sink linked in. */
#ifndef SMBSCOPE_SINK_HARNESS_H
#define SMBSCOPE_SINK_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adhoc_fields.h"
#include "sink.h"

/* 2023-11-14T22:13:20.000000Z */
#define T0 1700000000000000ull

struct mem_sink {
    struct sink *s;
    FILE *f;
    char *buf;
    size_t len;
};

typedef struct sink *(*sink_ctor)(FILE *out, bool flush_each);

static inline void ms_open(struct mem_sink *m, sink_ctor ctor)
{
    memset(m, 0, sizeof *m);
    m->f = open_memstream(&m->buf, &m->len);
    ck_assert_ptr_nonnull(m->f);
    m->s = ctor(m->f, false);
    ck_assert_ptr_nonnull(m->s);
}

static inline void ms_write(struct mem_sink *m, const struct event *e)
{
    m->s->ops->write(m->s, e);
}

/* close the sink (must succeed) and the stream; the bytes are in m->buf */
static inline const char *ms_close(struct mem_sink *m)
{
    ck_assert_int_eq(m->s->ops->close(m->s), 0);
    ck_assert_int_eq(fclose(m->f), 0);
    return m->buf;
}

static inline void ms_free(struct mem_sink *m)
{
    free(m->buf);
}

/* C1: IPv4, starts at T0 */
static inline struct conn_ref conn_v4(void)
{
    struct conn_ref c = {.num = 1, .client_port = 1025, .server_port = 445, .start_us = T0};
    strcpy(c.id, "C1");
    strcpy(c.community_id, "1:abc=");
    strcpy(c.uid, "CuidV4");
    strcpy(c.client_ip, "10.0.0.1");
    strcpy(c.server_ip, "10.0.0.2");
    return c;
}

/* C2: IPv6, starts at T0 + 2 s */
static inline struct conn_ref conn_v6(void)
{
    struct conn_ref c = {.num = 2, .client_port = 50000, .server_port = 139, .start_us = T0 + 2000000};
    strcpy(c.id, "C2");
    strcpy(c.community_id, "1:v6=");
    strcpy(c.uid, "CuidV6");
    strcpy(c.client_ip, "fe80::1");
    strcpy(c.server_ip, "fe80::2");
    return c;
}

/* write one event with a single string field through a fresh sink; returns
 * the output (caller frees) */
static inline char *ms_one_str(sink_ctor ctor, const struct conn_ref *c, const char *name, const char *s)
{
    struct mem_sink m;
    ms_open(&m, ctor);
    struct event e;
    ev_init(&e, EV_SESSION, c ? c->start_us : T0, c);
    ev_allow_adhoc(&e);
    struct fld_t_str d = {{name, name, FT_STR, FD_PLAIN, NULL, -1, -1}};
    ev_str(&e, &d, s);
    ms_write(&m, &e);
    ev_free(&e);
    ms_close(&m);
    return m.buf;
}

/* hostile strings in every position, the same records for both sinks: a
 * session record carrying three strings in `shares` (a vector) and one in
 * the nested object o.s, then an anomaly record with this name and detail */
static inline void ms_write_hostile(struct mem_sink *m, const struct conn_ref *c, const char *const shares[3],
                                    const char *obj_s, const char *anomaly, const char *detail)
{
    struct event e;
    ev_init(&e, EV_SESSION, T0, c);
    ev_allow_adhoc(&e);
    fs_strv(&e, NULL, F(shares), shares, 3);
    struct fieldset *o = fs_obj(&e, NULL, A_OBJ("o"));
    fs_str(&e, o, A_STR("s"), obj_s);
    ms_write(m, &e);
    ev_free(&e);
    ev_init(&e, EV_ANOMALY, T0, c);
    ev_allow_adhoc(&e);
    ev_str(&e, F(anomaly_name), anomaly);
    ev_str(&e, F(detail), detail);
    ms_write(m, &e);
    ev_free(&e);
}

/* a FILE whose writes all fail: the sink's close must say so */
static inline void check_write_error(sink_ctor ctor, bool flush_each)
{
    FILE *f = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(f);
    struct sink *s = ctor(f, flush_each);
    struct event e;
    ev_init(&e, EV_STATS, T0, NULL);
    ev_allow_adhoc(&e);
    ev_uint(&e, F(packets), 1);
    s->ops->write(s, &e);
    if (flush_each) {
        ck_assert(s->write_error); /* flushed at once: known before close */
        ck_assert_int_eq(s->write_errno, ENOSPC); /* what main reports with strerror */
    }
    ev_free(&e);
    ck_assert_int_eq(s->ops->close(s), ENOSPC); /* what main reports with strerror */
    fclose(f);
}

#endif
