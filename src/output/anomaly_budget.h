/* anomaly_budget: how many anomaly records each connection may write
 * (--max-anomalies-per-conn). Spec: none (smbscope's output policy; README
 * "Limits" and the `anomalies_suppressed` record).
 *
 * One hostile connection can trip the same limit once per packet (a request
 * past --max-pending, a READ on a FID past --max-open-files...): one record
 * each would make the output grow with the attack, not with what happened.
 * So each anomaly name is written at most `per_conn` times per connection;
 * later ones are only counted: per name for the whole run (the `stats`
 * record) and per connection, for the one `anomalies_suppressed` record the
 * connection gets when it ends.
 *
 * Connections are named by their number (conn_ref.num, from 1); 0 means "no
 * connection": such anomalies are counted in the run's totals and not
 * admitted (schema 1 records belong to a connection; the analyzer writes
 * only the run-level ones the registry declares, such as capture_drops). Per-connection state
 * lives until abudget_forget (the connection's state is freed), so late
 * anomalies after a connection's end stay bounded too; the table is keyed by
 * smbscope's own connection numbers, never by wire values. */
#ifndef SMBSCOPE_ANOMALY_BUDGET_H
#define SMBSCOPE_ANOMALY_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct anomaly_budget;

/* per_conn: records of one name written per connection (0: none) */
struct anomaly_budget *abudget_new(uint64_t per_conn);
void abudget_free(struct anomaly_budget *b);

/* one anomaly `name` on connection conn (0: none): true when it is to be
 * written, false when it is only counted */
bool abudget_admit(struct anomaly_budget *b, uint64_t conn, const char *name);

/* conn is ending: calls fn for each name whose records were suppressed on it
 * since the last call, in name order, with the count, then zeroes those
 * counts (the names' written counts stay, so later anomalies stay bounded).
 * Returns how many names fn got. */
size_t abudget_conn_end(struct anomaly_budget *b, uint64_t conn,
                        void (*fn)(void *u, const char *name, uint64_t suppressed), void *u);

/* conn's state is gone: drop what is kept for it */
void abudget_forget(struct anomaly_budget *b, uint64_t conn);

/* the run's totals, in name order: fn(u, name, seen, suppressed) per name
 * (seen counts every occurrence, suppressed the ones not written because of
 * the per-connection bound) */
void abudget_totals(struct anomaly_budget *b,
                    void (*fn)(void *u, const char *name, uint64_t seen, uint64_t suppressed), void *u);
uint64_t abudget_suppressed_total(const struct anomaly_budget *b);

/* connections with per-connection state now (for tests and memory checks) */
size_t abudget_conns(const struct anomaly_budget *b);

#endif
