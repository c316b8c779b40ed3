/* flow_record: builds the `conn` record through the event API. */
#include "flow_record.h"

static void add_half(struct event *e, const struct fld_t_obj *name, const struct half_stats *s)
{
    struct fieldset *o = fs_obj(e, NULL, name);
    if (!o)
        return;   /* out of memory: a NULL fieldset would mean the top level */
    fs_uint(e, o, F(packets), s->packets);
    fs_uint(e, o, F(bytes), s->bytes);
    fs_uint(e, o, F(gaps), s->gaps);
    fs_uint(e, o, F(gap_bytes), s->gap_bytes);
    fs_uint(e, o, F(retrans_bytes), s->retrans_bytes);
    fs_uint(e, o, F(overlap_bytes), s->overlap_bytes);
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
    ev_ts(&e, F(start), conn->start_us);
    ev_str(&e, F(state), state);
    ev_bool(&e, F(midstream), midstream);
    ev_uint(&e, F(duration_us), duration_us);
    add_half(&e, F(to_server), to_server);
    add_half(&e, F(to_client), to_client);
    emit(em, &e);
    ev_free(&e);
}
