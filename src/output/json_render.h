/* json_render: a record as one NDJSON line, for the JSON sink's threads
 * (out_json_sink.c). Each thread renders with a renderer of its own: it
 * keeps the line buffer and the last conn object it rendered (a
 * connection's records mostly come in runs; out_json.c). */
#ifndef SMBSCOPE_JSON_RENDER_H
#define SMBSCOPE_JSON_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

struct json_renderer;

/* NULL when out of memory */
struct json_renderer *json_renderer_new(void);
void json_renderer_free(struct json_renderer *r);
/* e as one line, newline included: *p and *n valid until r's next render;
 * false when out of memory (the line is lost, *n is 0) */
bool json_render(struct json_renderer *r, const struct event *e, const char *sensor, const char **p, size_t *n);

#endif
