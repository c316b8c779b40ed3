/* summary_write: the summary tables (summary_int.h, gathered by summary.c)
 * written as `summary` records, one per entry, in the order of summary.h:
 * totals, sessions, files, failures, notices, srt, dcerpc. Keys: README
 * "Summary" and src/output/fields.def (scope summary). */
#include <string.h>

#include "summary_int.h"

static void put(struct event *e, void (*out)(void *u, const struct event *e), void *u)
{
    out(u, e);
    ev_free(e);
}

/* min, max, average (rounded) and total of latencies, n > 0 */
static void put_lat(struct event *e, const struct lat *l)
{
    ev_uint(e, F(min_us), l->min);
    ev_uint(e, F(max_us), l->max);
    ev_uint(e, F(avg_us), (l->total + l->n / 2) / l->n);
    ev_uint(e, F(total_us), l->total);
}

static bool anonymous(const char *auth)
{
    return auth && (strcmp(auth, "anonymous") == 0 || strcmp(auth, "ntlmssp-anonymous") == 0);
}

void summary_write(struct summary *s, uint64_t ts_us, void (*out)(void *u, const struct event *e), void *u)
{
    struct event e;
    size_t n_sess = 0, logons = 0, denied = 0, srt_cmds = 0;
    for (size_t i = 0; i < s->n_sess; i++)
        n_sess += s->sess[i].has_record;
    for (size_t i = 0; i < s->n_fails; i++) {
        logons += strcmp(s->fails[i].what, "logon_failed") == 0 ? s->fails[i].count : 0;
        denied += strcmp(s->fails[i].what, "access_denied") == 0 ? s->fails[i].count : 0;
    }
    for (int c = 0; c < 256; c++)
        srt_cmds += s->srt[c].lat.n != 0;

    ev_init(&e, EV_SUMMARY, ts_us, NULL);
    ev_str(&e, F(section), "totals");
    ev_uint(&e, F(sessions), n_sess);
    ev_uint(&e, F(sessions_omitted), s->sess_omitted);
    ev_uint(&e, F(files_listed), s->n_files);
    ev_uint(&e, F(files_omitted), s->files_omitted);
    ev_uint(&e, F(logon_failures), logons);
    ev_uint(&e, F(access_denied), denied);
    ev_uint(&e, F(failures_omitted), s->fails_omitted);
    ev_uint(&e, F(srt_commands), srt_cmds);
    ev_uint(&e, F(notices), s->n_notices + s->notices_omitted);
    ev_uint(&e, F(notices_omitted), s->notices_omitted);
    ev_uint(&e, F(dcerpc_ops), s->n_rpc);
    ev_uint(&e, F(dcerpc_omitted), s->rpc_omitted);
    put(&e, out, u);

    for (size_t i = 0; i < s->n_sess; i++) {
        const struct sess *x = &s->sess[i];
        if (!x->has_record)
            continue; /* only seen through failures or signatures: no session record */
        ev_init(&e, EV_SUMMARY, ts_us, &x->conn);
        ev_str(&e, F(section), "session");
        ev_ts(&e, F(start), x->start);
        ev_uint(&e, F(uid), x->uid);
        ev_str(&e, F(user), x->user);
        ev_str(&e, F(domain), x->domain);
        ev_str(&e, F(host), x->host);
        ev_str(&e, F(auth), x->auth);
        ev_str(&e, F(status), x->status);
        ev_bool(&e, F(guest), x->guest);
        ev_bool(&e, F(anonymous), anonymous(x->auth));
        ev_bool(&e, F(signing), x->signing);
        fs_strv(&e, NULL, F(shares), (const char *const *)x->shares, x->n_shares);
        if (x->shares_omitted)
            ev_uint(&e, F(shares_omitted), x->shares_omitted);
        ev_uint(&e, F(failures), x->failures);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_files; i++) {
        const struct file_ent *f = &s->files[i];
        ev_init(&e, EV_SUMMARY, ts_us, &f->conn);
        ev_str(&e, F(section), "file");
        ev_ts(&e, F(start), f->start);
        ev_ts(&e, F(end), f->ts);
        ev_str(&e, F(name), f->name);
        ev_str(&e, F(share), f->share);
        ev_str(&e, F(kind), f->kind);
        ev_str(&e, F(user), f->user);
        ev_str(&e, F(domain), f->domain);
        if (f->has_content || f->has_pipe) {
            ev_uint(&e, F(bytes_read), f->a);
            ev_uint(&e, F(bytes_written), f->b);
        }
        if (f->has_content) {
            ev_str(&e, F(sha256), f->sha256);
            if (!f->sha256)
                ev_str(&e, F(no_hash_reason), f->no_hash_reason);
        }
        if (f->has_extracted)
            ev_str(&e, F(extracted), f->extracted);
        if (f->extract_error)
            ev_str(&e, F(extract_error), f->extract_error);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_fails; i++) {
        const struct fail *f = &s->fails[i];
        ev_init(&e, EV_SUMMARY, ts_us, &f->conn);
        ev_str(&e, F(section), "failure");
        ev_str(&e, F(failure), f->what);
        ev_str(&e, F(command), f->command);
        ev_str(&e, F(status), f->status);
        ev_str(&e, F(user), f->user);
        ev_str(&e, F(share), f->share);
        ev_str(&e, F(target), f->target);
        ev_uint(&e, F(count), f->count);
        ev_ts(&e, F(first), f->first);
        ev_ts(&e, F(last), f->last);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_notices; i++) {
        const struct notice_ent *x = &s->notices[i];
        ev_init(&e, EV_SUMMARY, ts_us, &x->conn);
        ev_str(&e, F(section), "notice");
        ev_str(&e, F(name), x->name);
        ev_str(&e, F(severity), x->severity);
        ev_str(&e, F(detail), x->detail);
        ev_str(&e, F(user), x->user);
        ev_ts(&e, F(when), x->ts);
        put(&e, out, u);
    }
    for (int c = 0; c < 256; c++) {
        const struct srt *t = &s->srt[c];
        if (!t->lat.n)
            continue;
        ev_init(&e, EV_SUMMARY, ts_us, NULL);
        ev_str(&e, F(section), "srt");
        ev_str(&e, F(command), t->command);
        ev_uint(&e, F(code), (uint64_t)c);
        ev_uint(&e, F(calls), t->lat.n);
        put_lat(&e, &t->lat);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_rpc; i++) {
        const struct rpc_op *r = &s->rpc[i];
        ev_init(&e, EV_SUMMARY, ts_us, NULL);
        ev_str(&e, F(section), "dcerpc");
        ev_str(&e, F(interface), r->interface);
        ev_str(&e, F(operation), r->operation);
        if (r->has_opnum)
            ev_uint(&e, F(opnum), r->opnum);
        else
            ev_null(&e, F(opnum));
        ev_uint(&e, F(calls), r->calls);
        ev_uint(&e, F(faults), r->faults);
        ev_uint(&e, F(failures), r->failures);
        ev_uint(&e, F(timed), r->lat.n);
        if (r->lat.n) {
            put_lat(&e, &r->lat);
        } else {
            ev_null(&e, F(min_us));
            ev_null(&e, F(max_us));
            ev_null(&e, F(avg_us));
            ev_null(&e, F(total_us));
        }
        fs_strv(&e, NULL, F(users), (const char *const *)r->users.v, r->users.n);
        if (r->users.omitted)
            ev_uint(&e, F(users_omitted), r->users.omitted);
        fs_strv(&e, NULL, F(pipes), (const char *const *)r->pipes.v, r->pipes.n);
        if (r->pipes.omitted)
            ev_uint(&e, F(pipes_omitted), r->pipes.omitted);
        put(&e, out, u);
    }
}
