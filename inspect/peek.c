#include "peek.h"
#include <string.h>
enum peek_kind peek_payload(const uint8_t *p, uint32_t len, struct peek_result *out) { memset(out, 0, sizeof(*out)); if (len > 4 && !memcmp(p, "GET ", 4)) { out->kind = PEEK_HTTP; out->http_method = PEEK_HTTP_GET; return PEEK_HTTP; } return PEEK_NONE; }
const char *peek_http_method_name(enum peek_http_method m) { return m == PEEK_HTTP_GET ? "GET" : "OTHER"; }
