/* Placeholder until the peek module lands (branch peek). */
#ifndef XDPI_INSPECT_PEEK_H
#define XDPI_INSPECT_PEEK_H
#include <stdint.h>
#define PEEK_NAME_MAX 256
enum peek_kind { PEEK_NONE = 0, PEEK_HTTP, PEEK_TLS };
enum peek_http_method { PEEK_HTTP_NONE = 0, PEEK_HTTP_GET, PEEK_HTTP_OTHER, PEEK_HTTP__MAX };
struct peek_result {
	uint8_t kind;
	uint8_t http_method;
	char http_host[PEEK_NAME_MAX];
	char tls_sni[PEEK_NAME_MAX];
};
enum peek_kind peek_payload(const uint8_t *payload, uint32_t len, struct peek_result *out);
const char *peek_http_method_name(enum peek_http_method m);
#endif
