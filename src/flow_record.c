/* flow_record: builds the `conn` record through the event API. */
#include "flow_record.h"

static void add_half(struct event *e, const char *name, const struct half_stats *s)
{
    struct fieldset *o = fs_obj(e, NULL, name);
    if (!o)
        return;   /* out of memory: a NULL fieldset would mean the top level */
    fs_uint(e, o, "packets", s->packets);
    fs_uint(e, o, "bytes", s->bytes);
    fs_uint(e, o, "gaps", s->gaps);
    fs_uint(e, o, "gap_bytes", s->gap_bytes);
    fs_uint(e, o, "retrans_bytes", s->retrans_bytes);
    fs_uint(e, o, "overlap_bytes", s->overlap_bytes);
}

void flow_emit_conn(const struct emitter *em, const struct conn_ref *conn, uint64_t ts_us, const char *state,
                    bool midstream, uint64_t duration_us,
                    const struct half_stats *to_server, const struct half_stats *to_client)
{
    if (!em || !em->emit)
        return;
    struct event e;
    /* stamped when written (the close), like file and session records, so a
     * transcript reads in time order; `start` says when it began */
    ev_init(&e, EV_CONN, ts_us, conn);
    ev_ts(&e, "start", conn->start_us);
    ev_str(&e, "state", state);
    ev_bool(&e, "midstream", midstream);
    ev_uint(&e, "duration_us", duration_us);
    add_half(&e, "to_server", to_server);
    add_half(&e, "to_client", to_client);
    emit(em, &e);
    ev_free(&e);
}
