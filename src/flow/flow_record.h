/* flow_record: the `conn` record written once per analyzed connection. */
#ifndef SMBSCOPE_FLOW_RECORD_H
#define SMBSCOPE_FLOW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "event.h"

/* fields: state, midstream, duration_us, to_server{...}, to_client{...}
 * where each direction is {packets, bytes, gaps, gap_bytes, retrans_bytes,
 * overlap_bytes}, start (the first packet); ts is when it is written (ts_us) */
void flow_emit_conn(const struct emitter *em, const struct conn_ref *conn, uint64_t ts_us, const char *state,
                    bool midstream, uint64_t duration_us,
                    const struct half_stats *to_server, const struct half_stats *to_client);

#endif
