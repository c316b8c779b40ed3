/* flow_internal: the flow table's data structures, shared by flow_table.c
 * (hash, timeout lists), flow.c (per-packet TCP handling), flow_heavy.c
 * (heavy state, probe and app glue) and flow_end.c (ending flows: expiry,
 * eviction, budget). Those call into flow_table.c, never the other way round.
 *
 * Memory per flow is kept small in layers: every flow has a `struct flow`
 * (key, timers, ISNs); flows that are analyzed or probed get a `flow_heavy`
 * (conn_ref, app state); only directions that carried data or a FIN get
 * reassembly (`flow_streams`), so a SYN flood costs little. */
#ifndef SMBSCOPE_FLOW_INTERNAL_H
#define SMBSCOPE_FLOW_INTERNAL_H

#include "flow.h"
#include "flow_key.h"
#include "flow_probe.h"
#include "htab.h"
#include "membudget.h"
#include "reasm.h"

/* an RST this far from where the sender's stream stands is not believed */
#define FLOW_RST_WINDOW (1u << 20)
/* after a close, data this close to where the old stream ended is late data of
 * the old connection, anything further is a new one picked up mid-stream */
#define FLOW_LATE_WINDOW (1u << 20)
/* RST grace: segments the other side had already sent when one side reset the
 * connection (in flight, crossing the RST) still arrive after it. For this long
 * after a valid RST (capture clock: the table clock at the RST) the other
 * side's segments that continue its stream in sequence are still reassembled
 * and delivered; the resetting side's are ignored (tcp_data_after_fin). The
 * flow ends as "reset" when the grace passes (timeout lists, close_all), or at
 * once when the other side sends anything out of sequence, a FIN, a SYN or an
 * RST. The deadline is fixed at the RST: packets in the grace never extend it. */
#define FLOW_RST_GRACE_US 1000000u
/* flow_table_full anomalies at most this often (packet clock) */
#define FLOW_FULL_REPORT_US 1000000u

enum flow_state {
    FL_PROBING,    /* unknown port: buffering the first bytes for app->probe */
    FL_ANALYZED,   /* app open */
    FL_IGNORED,    /* probe said no: tiny entry so the flow is not probed again */
    FL_CLOSED,     /* ended by FIN/RST: kept a while to recognize late packets */
};

enum flow_end { END_NONE, END_CLOSED, END_RESET, END_TIMEOUT, END_EVICTED, END_EOI, END_REUSED };

/* FLIST_RESET: flows in their RST grace, ordered by rst_us (never touched
 * again until they end) */
enum flow_list { FLIST_HALFOPEN, FLIST_EST, FLIST_CLOSED, FLIST_RESET, FLIST_N };

struct flow_table;
struct flow;

struct half {
    struct flow_table *t;
    struct flow *f;
    int side;
    struct reasm r;
};

struct flow_streams {
    struct half half[2];
    struct half_stats st[2];   /* per side; packets are counted in struct flow */
};

struct flow_heavy {
    struct conn_ref conn;      /* filled when the app opens */
    void *app;
    struct flow_probe *probe;
    struct flow_streams *s;
};

struct flow {
    struct hnode hn;                    /* in the table, by key */
    struct flow *lprev, *lnext;         /* timeout list, by last_us */
    struct flow *aprev, *anext;         /* all flows, oldest first */
    struct flow_key key;
    uint64_t num, start_us, last_us;    /* last_us: table clock at the last packet (at the close when FL_CLOSED) */
    uint64_t rst_us;                    /* table clock at the RST that started the grace (rst) */
    uint64_t pkts[2];
    struct flow_heavy *h;
    uint32_t isn[2];
    uint32_t end_seq[2];                /* after close: sequence just past each stream */
    uint8_t side0_ep;                   /* key endpoint of side 0, the first sender */
    uint8_t client_side;
    uint8_t rst_side;                   /* the side that sent the RST (rst) */
    uint8_t state, list, end;
    bool isn_known[2], fin[2], data[2], end_known[2], late_warned[2];
    bool saw_syn, synack, hs_done, oriented, pending_no;
    bool app_midstream;                 /* analyzed: the app opens on the first data or gap, midstream or not */
    bool rst;                           /* reset: in its grace while live, see FLOW_RST_GRACE_US */
};

/* a small direct-mapped cache in front of the hash table: segments come in
 * runs of a few busy flows; a miss costs one compare */
#define FT_RECENT 16u

struct flow_table {
    struct limits lim;
    uint16_t *ports;
    size_t nports;
    const struct app_ops *app;
    void *app_ctx;
    const struct emitter *em;
    const char *uid_salt;
    const EVP_MD *sha1, *sha256;        /* flow_config's: the run's, not owned */

    struct htab tab;                    /* flows by key (keyed SipHash: htab.h) */
    struct hkey hkey;                   /* this run's secret hash key */
    struct flow *recent[FT_RECENT];     /* flows ft_lookup found lately, by ft_recent_slot (NULL once destroyed) */
    size_t count;
    struct membudget *mb;               /* the run's state budget (membudget.h), or NULL */
    struct flow *lhead[FLIST_N], *ltail[FLIST_N];
    struct flow *ahead, *atail;
    uint64_t next_num, clock, last_full_report, last_mem_report;
    bool full_reported, mem_reported;
    struct reasm_pool pool;
    struct flow_stats stats;
};

/* flow_table.c */
struct flow *ft_lookup(struct flow_table *t, const struct flow_key *k);
/* a new flow in the half-open list; the caller made room first (ft_full) */
struct flow *ft_create(struct flow_table *t, const struct flow_key *k, int src_ep, uint64_t ts_us);
/* unlink and free f; the caller freed its heavy part (f->h) first */
void ft_destroy(struct flow_table *t, struct flow *f);
/* put f at the tail of list l (it was just active) */
void ft_touch(struct flow_table *t, struct flow *f, enum flow_list l);
bool ft_port_listed(const struct flow_table *t, uint16_t port);
/* max_flows reached: a flow must go before another is created */
bool ft_full(const struct flow_table *t);
/* the flow to make room with: the idlest closed one, else the idlest in its
 * RST grace, else half-open, else established; NULL if the table is empty */
struct flow *ft_victim(const struct flow_table *t);
/* the live flow idle longest (the heads of the half-open, established and
 * RST-grace lists are the idlest of each); NULL if none is live. The state
 * budget evicts it (flow_end.c) once the closed flows are gone. */
struct flow *ft_idlest_live(const struct flow_table *t);

/* what is due at now, the earliest deadline first (the caller handles it and
 * asks again until FT_DUE_NONE) */
enum ft_due {
    FT_DUE_NONE,
    FT_DUE_GRACE,   /* *rp: a direction whose ACK grace (reasm.h rule (a)) is over */
    FT_DUE_RESET,   /* *fp: a flow whose RST grace is over */
    FT_DUE_FLOW,    /* *fp: a flow idle past its list's timeout (live, or closed and lingering) */
};
enum ft_due ft_next_due(const struct flow_table *t, uint64_t now, struct flow **fp, struct reasm **rp);
/* free the table itself (every flow already destroyed) */
void ft_free(struct flow_table *t);

static inline bool flow_live(const struct flow *f) { return f->state != FL_CLOSED; }

static inline enum dir flow_dir(const struct flow *f, int side)
{
    return side == f->client_side ? DIR_C2S : DIR_S2C;
}

/* the key endpoint of side */
static inline int flow_ep(const struct flow *f, int side)
{
    return side == 0 ? f->side0_ep : f->side0_ep ^ 1;
}

/* analyzed, or closed after being analyzed (its conn kept for late-packet anomalies) */
static inline bool flow_analyzed(const struct flow *f)
{
    return f->state == FL_ANALYZED || (f->state == FL_CLOSED && f->h);
}

/* flow_heavy.c */
/* an anomaly on f's conn; nothing unless f is analyzed */
void flow_anomaly(struct flow_table *t, const struct flow *f, uint64_t ts, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* f's reassembly, made on first need */
struct flow_streams *flow_streams_get(struct flow_table *t, struct flow *f);
/* the flow is analyzed from here on (the app itself opens on its first byte or gap) */
void flow_open_app(struct flow_table *t, struct flow *f);
/* the probe said no on both sides: drop everything but the tiny entry */
void flow_become_ignored(struct flow_table *t, struct flow *f);
/* drop the reassembly and probe, keep the conn (an ended flow lingering) */
void flow_free_streams(struct flow_table *t, struct flow *f);
void flow_free_heavy(struct flow_table *t, struct flow *f);

/* flow_end.c */
bool flow_stream_pos(const struct flow *f, int side, uint32_t *seq);
bool flow_fully_closed(const struct flow *f);
void flow_end(struct flow_table *t, struct flow *f, enum flow_end why, uint64_t now);
/* keep an ended flow for late packets (the closed list) */
void flow_linger(struct flow_table *t, struct flow *f);
void flow_end_reset(struct flow_table *t, struct flow *f);
void flow_destroy(struct flow_table *t, struct flow *f);
/* a new flow, after making room for it (max_flows) */
struct flow *flow_create(struct flow_table *t, const struct flow_key *k, int src_ep, uint64_t ts_us);
/* evict until the state budget is met: between packets only */
void flow_budget(struct flow_table *t, uint64_t now);

#endif
