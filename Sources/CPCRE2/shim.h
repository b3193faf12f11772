#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// PCRE2's function names are macros over the width-suffixed symbols; these
// constants are macros too, re-exported with types Swift can import.
static const uint32_t cpcre2_utf = PCRE2_UTF;
static const uint32_t cpcre2_ucp = PCRE2_UCP;
static const uint32_t cpcre2_caseless = PCRE2_CASELESS;
static const uint32_t cpcre2_multiline = PCRE2_MULTILINE;
static const uint32_t cpcre2_jit_complete = PCRE2_JIT_COMPLETE;
static const uint32_t cpcre2_no_utf_check = PCRE2_NO_UTF_CHECK;
static const size_t cpcre2_zero_terminated = PCRE2_ZERO_TERMINATED;
static const int cpcre2_error_nomatch = PCRE2_ERROR_NOMATCH;
static const int cpcre2_error_matchlimit = PCRE2_ERROR_MATCHLIMIT;
static const int cpcre2_error_depthlimit = PCRE2_ERROR_DEPTHLIMIT;
static const int cpcre2_error_heaplimit = PCRE2_ERROR_HEAPLIMIT;
static const int cpcre2_error_jit_stacklimit = PCRE2_ERROR_JIT_STACKLIMIT;
// Added by SwitchyardRules: forbid \C, which can split a UTF-8 character in UTF mode.
static const uint32_t cpcre2_never_backslash_c = PCRE2_NEVER_BACKSLASH_C;
// Captures: how many groups a pattern has and their names.
static const uint32_t cpcre2_info_capturecount = PCRE2_INFO_CAPTURECOUNT;
static const uint32_t cpcre2_info_namecount = PCRE2_INFO_NAMECOUNT;
static const uint32_t cpcre2_info_nameentrysize = PCRE2_INFO_NAMEENTRYSIZE;
static const uint32_t cpcre2_info_nametable = PCRE2_INFO_NAMETABLE;
