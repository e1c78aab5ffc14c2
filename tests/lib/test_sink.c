/*
 * tests/lib/test_sink.c - trace.json / trace.bin files as the sink writes them.
 *
 * The binary layout is checked with a small independent parser of the zstd
 * seekable format (header, frames found with ZSTD_findFrameCompressedSize,
 * the skippable seek-table frame and its footer), first on golden/good_bin
 * (upstream's file: proves the parser), then on what our sink writes for the
 * same events: same decompressed payload, a seek table that matches the
 * frames, frames of at most RTRACE_SINK_FRAME_MAX. Disk-full is simulated by dup2'ing
 * /dev/full over the sink's descriptor.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "lib_tests.h"
#include "../../lib/encode_inline.h"

unsigned char *bin_payload(const char *path, size_t *n);

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct bin_layout {
    bool ok;
    size_t nframes;          /* data frames found */
    size_t table_frames;     /* frames listed in the seek table */
    bool table_matches;      /* every entry equals its frame's sizes */
    size_t max_frame_in;     /* largest decompressed frame */
    const char *why;
} bin_layout;

/* Parses a trace.bin: header, zstd frames, seek table; checks them against each other. */
static bin_layout parse_bin(const char *path)
{
    bin_layout L = {0};
    size_t n;
    unsigned char *f = (unsigned char *)read_whole(path, &n);
    if (!f || n < 8 + 17 || memcmp(f, "\xC0\xDE\x72\xAC\xE2\x01\x00\x00", 8) != 0) {
        L.why = "bad header or too short";
        free(f);
        return L;
    }
    /* Footer: u32 frames, u8 descriptor, u32 magic; skippable frame before the entries. */
    const unsigned char *foot = f + n - 9;
    if (le32(foot + 5) != 0x8F92EAB1u || foot[4] != 0) {
        L.why = "no seekable footer";
        free(f);
        return L;
    }
    L.table_frames = le32(foot);
    size_t table_size = 8 + L.table_frames * 8 + 9;
    const unsigned char *table = f + n - table_size;
    if (table_size > n - 8 || le32(table) != 0x184D2A5Eu || le32(table + 4) != L.table_frames * 8 + 9) {
        L.why = "bad skippable seek-table frame";
        free(f);
        return L;
    }
    L.table_matches = true;
    size_t off = 8;
    while (off < n - table_size) {
        size_t c = ZSTD_findFrameCompressedSize(f + off, n - table_size - off);
        unsigned long long d = ZSTD_getFrameContentSize(f + off, c);
        if (ZSTD_isError(c) || d == ZSTD_CONTENTSIZE_ERROR) {
            L.why = "bad zstd frame";
            free(f);
            return L;
        }
        if (d == ZSTD_CONTENTSIZE_UNKNOWN) {
            /* Decompress to learn the size. */
            void *tmp = malloc(4u << 20);
            d = ZSTD_decompress(tmp, 4u << 20, f + off, c);
            free(tmp);
        }
        if (L.nframes >= L.table_frames || le32(table + 8 + 8 * L.nframes) != c ||
            le32(table + 12 + 8 * L.nframes) != d)
            L.table_matches = false;
        if (d > L.max_frame_in)
            L.max_frame_in = (size_t)d;
        L.nframes++;
        off += c;
    }
    L.ok = off == n - table_size && L.nframes == L.table_frames && L.table_matches;
    if (!L.ok)
        L.why = "frames and seek table disagree";
    free(f);
    return L;
}

static void test_sink__good_bin_layout_parses(void)
{
    bin_layout L = parse_bin(golden_path("good_bin/trace.bin"));
    if (!L.ok)
        fprintf(stderr, "\ngood_bin: %s\n", L.why);
    CU_ASSERT(L.ok);
    CU_ASSERT_EQUAL(L.nframes, 7);
    CU_ASSERT_EQUAL(L.max_frame_in, 256);
}

/* Writes the good_json events (as our CBOR) through a binary sink into dir. */
static int write_good_events(const char *dir, rtrace_format fmt, size_t chunk)
{
    rtrace_enc e;
    rtrace_arena a = {0};
    rtrace_enc_init(&e, fmt, 0);
    char *text = read_whole(golden_path("good_json/trace.json"), NULL);
    cJSON *arr = cJSON_Parse(text);
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        rtrace_event ev;
        json_to_event(&ev, &a, it);
        rtrace_enc_event_struct(&e, &ev);
        rtrace_arena_reset(&a);
    }
    cJSON_Delete(arr);
    free(text);
    rtrace_arena_free(&a);
    rtrace_sink *s;
    int rc = rtrace_sink_open(&s, dir, fmt, 0);
    if (rc)
        return rc;
    /* Hand the bytes over in pieces, with a flush in the middle (an early frame end). */
    for (size_t off = 0; off < e.len && !rc; off += chunk) {
        size_t k = e.len - off < chunk ? e.len - off : chunk;
        rc = rtrace_sink_write(s, e.buf + off, k);
        if (off == 0)
            rc = rc ? rc : rtrace_sink_flush(s);
    }
    CU_ASSERT_EQUAL(rtrace_sink_bytes_in(s), e.len);
    rc = rc ? rc : rtrace_sink_close(s);
    CU_ASSERT_EQUAL(rtrace_sink_close(s), 0);   /* idempotent */
    rtrace_sink_free(s);
    rtrace_enc_free(&e);
    return rc;
}

static void test_sink__binary_same_payload_and_layout_as_good_bin(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    CU_ASSERT_EQUAL(write_good_events(dir, RTRACE_FORMAT_BINARY, 300), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/trace.bin", dir);
    bin_layout L = parse_bin(path);
    if (!L.ok)
        fprintf(stderr, "\nours: %s\n", L.why);
    CU_ASSERT(L.ok);
    CU_ASSERT_EQUAL(L.nframes, 2);       /* flushed after the first 300 bytes, then the rest */
    size_t n1 = 0, n2 = 0;
    unsigned char *ours = bin_payload(path, &n1);
    unsigned char *theirs = bin_payload(golden_path("good_bin/trace.bin"), &n2);
    CU_ASSERT(ours && theirs && n1 == n2 && memcmp(ours, theirs, n1) == 0);
    free(ours);
    free(theirs);
    remove_tree(dir);
}

static void test_sink__json_file_is_one_array(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    /* A stale trace.bin must disappear when trace.json is opened. */
    char path[256];
    snprintf(path, sizeof path, "%s/trace.bin", dir);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    CU_ASSERT_EQUAL(write_good_events(dir, RTRACE_FORMAT_JSON, 1000), 0);
    CU_ASSERT(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/trace.json", dir);
    size_t n;
    char *text = read_whole(path, &n);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT(strncmp(text, "[\n{\"Path\":", 10) == 0);
    CU_ASSERT(n > 3 && strcmp(text + n - 3, "\n]\n") == 0);
    cJSON *got = cJSON_Parse(text);
    char *gtext = read_whole(golden_path("good_json/trace.json"), NULL);
    cJSON *want = cJSON_Parse(gtext);
    CU_ASSERT(cJSON_Compare(want, got, true));
    cJSON_Delete(got);
    cJSON_Delete(want);
    free(gtext);
    free(text);
    remove_tree(dir);
}

static void test_sink__large_trace_frames_at_most_frame_max(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, RTRACE_FORMAT_BINARY, -1) == 0);
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    size_t total = 0;
    /* ~5.5 MiB of Step + Value events, handed over 64 KiB at a time. */
    uint64_t i = 0;
    while (total < (11u << 19)) {
        rtrace_enc_step(&e, 0, (int64_t)(i % 1000) + 1);
        rtrace_enc_value_begin(&e, i % 7);
        rtrace_enc_int(&e, 1, (int64_t)(i * 2654435761u));
        rtrace_enc_value_end(&e);
        i++;
        if (e.len > 65536) {
            CU_ASSERT_EQUAL_FATAL(rtrace_sink_write(s, e.buf, e.len), 0);
            total += e.len;
            rtrace_enc_reset(&e);
        }
    }
    CU_ASSERT_EQUAL(rtrace_sink_close(s), 0);
    CU_ASSERT(rtrace_sink_bytes_out(s) > 0 && rtrace_sink_bytes_out(s) < total);
    rtrace_sink_free(s);
    rtrace_enc_free(&e);
    char path[256];
    snprintf(path, sizeof path, "%s/trace.bin", dir);
    bin_layout L = parse_bin(path);
    CU_ASSERT(L.ok);
    /* every frame full but the last */
    CU_ASSERT_EQUAL(L.nframes, (total + RTRACE_SINK_FRAME_MAX - 1) / RTRACE_SINK_FRAME_MAX);
    CU_ASSERT_EQUAL(L.max_frame_in, RTRACE_SINK_FRAME_MAX);
    size_t n = 0;
    unsigned char *all = bin_payload(path, &n);
    CU_ASSERT_EQUAL(n, total);
    free(all);
    remove_tree(dir);
}

/* Opens a sink, puts /dev/full under it, writes `n` bytes: must fail cleanly. */
static void disk_full(rtrace_format fmt, size_t n)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, fmt, 0) == 0);
    int full = open("/dev/full", O_WRONLY);
    CU_ASSERT_FATAL(full >= 0);
    CU_ASSERT_FATAL(dup2(full, rtrace_sink_fd(s)) >= 0);
    close(full);
    rtrace_clear_error();
    char *junk = malloc(n);
    memset(junk, ' ', n);
    int rc = 0;
    for (int i = 0; i < 4 && !rc; i++)
        rc = rtrace_sink_write(s, junk, n / 4);
    if (!rc)
        rc = rtrace_sink_flush(s);
    CU_ASSERT(rc == RTRACE_EFULL);
    CU_ASSERT(rtrace_sink_failed(s));
    CU_ASSERT(strstr(rtrace_last_error(), "write failed") != NULL);
    /* Later writes are dropped with an error; close finishes without crashing. */
    CU_ASSERT(rtrace_sink_write(s, junk, 10) < 0);
    CU_ASSERT(rtrace_sink_close(s) < 0);
    rtrace_sink_free(s);
    free(junk);
    remove_tree(dir);
}

static void test_sink__dev_full_reports_error_binary(void) { disk_full(RTRACE_FORMAT_BINARY, 3u << 20); }
static void test_sink__dev_full_reports_error_json(void) { disk_full(RTRACE_FORMAT_JSON, 1u << 20); }

/*
 * In a child process: writes whole events, flushes, then lowers RLIMIT_FSIZE
 * so that the next chunk cannot be written in full (the kernel writes what
 * fits, then fails with EFBIG), and closes. Exit status 0 when every call
 * behaved (the first write after the limit fails, close finishes).
 */
static int limited_writer(const char *dir, rtrace_format fmt, uint64_t *first_part)
{
    signal(SIGXFSZ, SIG_IGN);
    rtrace_sink *s;
    if (rtrace_sink_open(&s, dir, fmt, 0))
        return 10;
    rtrace_enc e;
    rtrace_enc_init(&e, fmt, 0);
    for (int i = 0; i < 1000; i++)
        rtrace__enc_value_int_fast(&e, (uint64_t)i, 1, (int64_t)i * 7919);
    if (rtrace_sink_write(s, e.buf, e.len) || rtrace_sink_flush(s))
        return 11;
    *first_part = e.len;
    /* Room for the closing bytes (seek table of 2 frames: 41 bytes; "\n]\n"), not for the next chunk. */
    struct rlimit rl = {rtrace_sink_bytes_out(s) + 48, rtrace_sink_bytes_out(s) + 48};
    if (setrlimit(RLIMIT_FSIZE, &rl))
        return 12;
    rtrace_enc_reset(&e);
    for (int i = 0; i < 100000; i++)
        rtrace__enc_value_int_fast(&e, (uint64_t)i, 1, (int64_t)i * 104729);
    int rc = rtrace_sink_write(s, e.buf, e.len);
    if (!rc)
        rc = rtrace_sink_flush(s);
    if (rc >= 0 || !rtrace_sink_failed(s))
        return 13;
    if (rtrace_sink_close(s) >= 0)     /* reports the failure again, but finishes the file */
        return 14;
    rtrace_sink_free(s);
    rtrace_enc_free(&e);
    return 0;
}

/* The file left by limited_writer is valid and holds exactly the first part. */
static void test_sink__write_error_keeps_file_valid(void)
{
    for (int f = 0; f < 2; f++) {
        rtrace_format fmt = f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
        char *dir = make_tmpdir();
        CU_ASSERT_FATAL(dir != NULL);
        int pipefd[2];
        CU_ASSERT_FATAL(pipe(pipefd) == 0);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            uint64_t first = 0;
            int rc = limited_writer(dir, fmt, &first);
            if (write(pipefd[1], &first, sizeof first) != sizeof first)
                rc = 20;
            _exit(rc);
        }
        uint64_t first = 0;
        CU_ASSERT(read(pipefd[0], &first, sizeof first) == sizeof first);
        close(pipefd[0]);
        close(pipefd[1]);
        int st;
        waitpid(pid, &st, 0);
        CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        char path[1024];
        if (f) {
            snprintf(path, sizeof path, "%s/trace.bin", dir);
            bin_layout L = parse_bin(path);
            if (!L.ok)
                fprintf(stderr, "\nafter EFBIG: %s\n", L.why ? L.why : "?");
            CU_ASSERT(L.ok);
            CU_ASSERT_EQUAL(L.nframes, 1);
            size_t n = 0;
            unsigned char *payload = bin_payload(path, &n);
            CU_ASSERT(payload && n == first);
            free(payload);
        } else {
            snprintf(path, sizeof path, "%s/trace.json", dir);
            char *text = read_whole(path, NULL);
            cJSON *j = text ? cJSON_Parse(text) : NULL;
            CU_ASSERT(cJSON_IsArray(j));
            CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 1000);
            cJSON_Delete(j);
            free(text);
        }
        remove_tree(dir);
    }
}

/*
 * In a child process: writes 1000 Value events and flushes, then lowers
 * RLIMIT_FSIZE to 64 KiB more than the file holds and writes ~20 MiB
 * (JSON) / ~3 MiB (binary) more, 1000 events per write, with their counts,
 * and closes. The events' ends in the byte stream go to ends[0..] (ends[k]:
 * the stream's length after k+1 events), the whole stream to *all. Through
 * `out`: the file size limit, events handed over, events kept. Exit status 0
 * when every call behaved (a write or flush fails, close finishes).
 */
static int filling_writer(const char *dir, rtrace_format fmt, bool bg, int out)
{
    signal(SIGXFSZ, SIG_IGN);
    rtrace_sink *s;
    if (rtrace_sink_open(&s, dir, fmt, 0) || (bg && rtrace_sink_set_background(s, true)))
        return 10;
    rtrace_enc e;
    rtrace_enc_init(&e, fmt, 0);
    e.json_first = true;
    uint64_t limit = 0;
    int rc = 0;
    for (int i = 0; i < 201000 && !rc; i++) {
        rtrace__enc_value_int_fast(&e, (uint64_t)(i % 7), 1, (int64_t)((uint64_t)i * 2654435761u));
        if ((i + 1) % 1000)
            continue;
        rc = rtrace_sink_write_events(s, e.buf, e.len, 1000);
        rtrace_enc_reset(&e);
        if (i + 1 == 1000) {
            if (rc || rtrace_sink_flush(s))
                return 11;
            limit = rtrace_sink_bytes_out(s) + (64u << 10);
            struct rlimit rl = {limit, limit};
            if (setrlimit(RLIMIT_FSIZE, &rl))
                return 12;
        }
    }
    if (!rc)
        rc = rtrace_sink_flush(s);
    if (rc >= 0 || !rtrace_sink_failed(s))
        return 13;
    if (rtrace_sink_close(s) >= 0)
        return 14;
    uint64_t r[3] = {limit, rtrace_sink_events_in(s), rtrace_sink_events_kept(s)};
    rtrace_sink_free(s);
    rtrace_enc_free(&e);
    return write(out, r, sizeof r) == sizeof r ? 0 : 15;
}

/*
 * A write past the room the file system gives (here RLIMIT_FSIZE, as the
 * disk being full) keeps as many events as fit, cut between two events, and
 * the file is complete: JSON up to the last event that fits with "\n]\n";
 * binary a frame of the events that fit, compressed again, and the seek
 * table. The sink's count of the events kept is the file's. It used to keep
 * only what preceded the chunk or frame that failed (1000 events).
 */
static void test_sink__out_of_room_keeps_the_events_that_fit(void)
{
    /* the stream filling_writer writes, and where each event ends in it */
    size_t *ends[2];
    unsigned char *all[2];
    for (int f = 0; f < 2; f++) {
        rtrace_enc e;
        rtrace_enc_init(&e, f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON, 0);
        e.json_first = true;
        ends[f] = malloc(201000 * sizeof(size_t));
        for (int i = 0; i < 201000; i++) {
            rtrace__enc_value_int_fast(&e, (uint64_t)(i % 7), 1, (int64_t)((uint64_t)i * 2654435761u));
            ends[f][i] = e.len;
        }
        all[f] = e.buf;
    }
    for (int run = 0; run < 4; run++) {
        int f = run & 1;
        bool bg = run >= 2;
        rtrace_format fmt = f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
        char *dir = make_tmpdir();
        CU_ASSERT_FATAL(dir != NULL);
        int pipefd[2];
        CU_ASSERT_FATAL(pipe(pipefd) == 0);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0)
            _exit(filling_writer(dir, fmt, bg, pipefd[1]));
        int st;
        waitpid(pid, &st, 0);
        uint64_t r[3] = {0};
        CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0 && read(pipefd[0], r, sizeof r) == sizeof r);
        close(pipefd[0]);
        close(pipefd[1]);
        uint64_t limit = r[0], kept = r[2];
        CU_ASSERT(r[1] > 1000 && kept > 1000 && kept < r[1]);
        char path[1024];
        snprintf(path, sizeof path, "%s/trace.%s", dir, f ? "bin" : "json");
        struct stat sb;
        CU_ASSERT_FATAL(stat(path, &sb) == 0);
        /* full to the limit: JSON but for less than an event (~70 bytes)
         * and the 3 closing bytes; binary within 1/8 (a guess from the
         * compression ratio, made smaller until it fits) */
        CU_ASSERT((uint64_t)sb.st_size <= limit);
        CU_ASSERT((uint64_t)sb.st_size > (f ? limit - limit / 8 : limit - 80));
        if (f) {
            bin_layout L = parse_bin(path);
            if (!L.ok)
                fprintf(stderr, "\nrun %d: %s\n", run, L.why ? L.why : "?");
            CU_ASSERT(L.ok);
            size_t n = 0;
            unsigned char *payload = bin_payload(path, &n);
            /* the events' bytes up to the end of the last one kept */
            CU_ASSERT(payload && kept > 0 && n == ends[f][kept - 1] && memcmp(payload, all[f], n) == 0);
            free(payload);
        } else {
            char *text = read_whole(path, NULL);
            cJSON *j = text ? cJSON_Parse(text) : NULL;
            CU_ASSERT(cJSON_IsArray(j));
            CU_ASSERT_EQUAL((uint64_t)cJSON_GetArraySize(j), kept);
            CU_ASSERT(text && kept > 0 && memcmp(text + 2, all[f], ends[f][kept - 1]) == 0);
            cJSON_Delete(j);
            free(text);
        }
        remove_tree(dir);
    }
    for (int f = 0; f < 2; f++) {
        free(ends[f]);
        free(all[f]);
    }
}

/*
 * JSON: at close, no room for the closing "\n]\n" after the last event: the
 * last event goes (read back from the file), the array is closed, and the
 * count kept says so.
 */
static void test_sink__json_no_room_to_close_drops_the_last_event(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    int pipefd[2];
    CU_ASSERT_FATAL(pipe(pipefd) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        rtrace_sink *s;
        rtrace_enc e;
        rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
        e.json_first = true;
        for (int i = 0; i < 500; i++)
            rtrace__enc_step_fast(&e, 0, i + 1);
        if (rtrace_sink_open(&s, dir, RTRACE_FORMAT_JSON, 0) || rtrace_sink_write_events(s, e.buf, e.len, 500) ||
            rtrace_sink_flush(s))
            _exit(10);
        struct rlimit rl = {rtrace_sink_bytes_out(s) + 1, rtrace_sink_bytes_out(s) + 1};
        if (setrlimit(RLIMIT_FSIZE, &rl) || rtrace_sink_close(s) >= 0)
            _exit(11);
        uint64_t kept = rtrace_sink_events_kept(s);
        _exit(write(pipefd[1], &kept, sizeof kept) == sizeof kept ? 0 : 12);
    }
    int st;
    waitpid(pid, &st, 0);
    uint64_t kept = 0;
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0 && read(pipefd[0], &kept, sizeof kept) == sizeof kept);
    close(pipefd[0]);
    close(pipefd[1]);
    CU_ASSERT_EQUAL(kept, 499);
    char path[1024];
    snprintf(path, sizeof path, "%s/trace.json", dir);
    char *text = read_whole(path, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 499);
    cJSON_Delete(j);
    free(text);
    remove_tree(dir);
}

/*
 * In a child: a sink with a lazy descriptor (rtrace_sink_set_fd_lazy) gets
 * 3 x 1000 Value events, flushed after each 1000; between writes it holds no
 * descriptor and the file is complete (checked by the parent on the copy
 * saved after the second flush). Then every descriptor is taken (as a
 * program at its RLIMIT_NOFILE) and 1000 more are flushed: that fails, and
 * so does close; the file is left as after the third flush. Exit status 0
 * when every call behaved.
 */
static int lazy_writer(const char *dir, rtrace_format fmt)
{
    rtrace_sink *s;
    if (rtrace_sink_open(&s, dir, fmt, 0) || rtrace_sink_set_fd_lazy(s) || rtrace_sink_fd(s) != -1)
        return 10;
    if (rtrace_sink_set_background(s, true) == 0)
        return 11;
    rtrace_enc e;
    rtrace_enc_init(&e, fmt, 0);
    e.json_first = true;
    char path[1024], copy[1100];
    snprintf(path, sizeof path, "%s/trace.%s", dir, fmt == RTRACE_FORMAT_JSON ? "json" : "bin");
    for (int round = 0; round < 4; round++) {
        rtrace_enc_reset(&e);
        for (int i = 0; i < 1000; i++)
            rtrace__enc_value_int_fast(&e, (uint64_t)(i % 7), 1, (int64_t)(round * 1000 + i) * 7919);
        e.json_first = false;
        if (round == 3) {
            struct rlimit rl;
            getrlimit(RLIMIT_NOFILE, &rl);
            for (rlim_t k = 0; k < rl.rlim_cur && open("/dev/null", O_RDONLY) >= 0; k++)
                ;
            if (rtrace_sink_write_events(s, e.buf, e.len, 1000) == 0 && rtrace_sink_flush(s) == 0)
                return 12;
            return rtrace_sink_close(s) < 0 && rtrace_sink_events_kept(s) == 3000 ? 0 : 13;
        }
        if (rtrace_sink_write_events(s, e.buf, e.len, 1000) || rtrace_sink_flush(s) || rtrace_sink_fd(s) != -1)
            return 14;
        if (round == 1) {
            snprintf(copy, sizeof copy, "%s/copy", dir);
            size_t n;
            char *text = read_whole(path, &n);
            FILE *f = fopen(copy, "w");
            if (!text || !f || fwrite(text, 1, n, f) != n)
                return 15;
            fclose(f);
            free(text);
        }
    }
    return 16;
}

/* The file written through a lazy descriptor is complete after each write,
 * and stays so when the descriptor cannot be had again. */
static void test_sink__lazy_descriptor_file_complete_between_writes(void)
{
    for (int f = 0; f < 2; f++) {
        rtrace_format fmt = f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
        char *dir = make_tmpdir();
        CU_ASSERT_FATAL(dir != NULL);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0)
            _exit(lazy_writer(dir, fmt));
        int st;
        waitpid(pid, &st, 0);
        CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        char path[1024], copy[1100];
        snprintf(path, sizeof path, "%s/trace.%s", dir, f ? "bin" : "json");
        snprintf(copy, sizeof copy, "%s/copy", dir);
        for (int k = 0; k < 2; k++) {
            const char *p = k ? path : copy;
            size_t want = k ? 3000 : 2000;
            if (f) {
                bin_layout L = parse_bin(p);
                CU_ASSERT(L.ok);
                CU_ASSERT_EQUAL(L.nframes, want / 1000);   /* one frame per flush */
            } else {
                char *text = read_whole(p, NULL);
                cJSON *j = text ? cJSON_Parse(text) : NULL;
                CU_ASSERT_EQUAL((size_t)cJSON_GetArraySize(j), want);
                cJSON_Delete(j);
                free(text);
            }
        }
        remove_tree(dir);
    }
}

static rtrace_sink *signal_sink;
static volatile int signal_close_rc = 1;

static void close_from_handler(int sig)
{
    (void)sig;
    signal_close_rc = rtrace_sink_close(signal_sink);
}

/* Close runs inside a signal handler (as the runtime's fatal-signal path does) and finishes the file. */
static void test_sink__close_from_signal_handler(void)
{
    for (int f = 0; f < 2; f++) {
        rtrace_format fmt = f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
        char *dir = make_tmpdir();
        CU_ASSERT_FATAL(dir != NULL);
        CU_ASSERT_FATAL(rtrace_sink_open(&signal_sink, dir, fmt, 0) == 0);
        rtrace_enc e;
        rtrace_enc_init(&e, fmt, 0);
        for (int i = 0; i < 5000; i++)
            rtrace__enc_step_fast(&e, 0, i + 1);
        CU_ASSERT_EQUAL(rtrace_sink_write(signal_sink, e.buf, e.len), 0);
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = close_from_handler;
        sigaction(SIGUSR1, &sa, &old);
        signal_close_rc = 1;
        raise(SIGUSR1);
        sigaction(SIGUSR1, &old, NULL);
        CU_ASSERT_EQUAL(signal_close_rc, 0);
        char path[1024];
        if (f) {
            snprintf(path, sizeof path, "%s/trace.bin", dir);
            bin_layout L = parse_bin(path);
            CU_ASSERT(L.ok);
            size_t n = 0;
            unsigned char *payload = bin_payload(path, &n);
            CU_ASSERT(payload && n == e.len && memcmp(payload, e.buf, n) == 0);
            free(payload);
        } else {
            snprintf(path, sizeof path, "%s/trace.json", dir);
            char *text = read_whole(path, NULL);
            cJSON *j = text ? cJSON_Parse(text) : NULL;
            CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 5000);
            cJSON_Delete(j);
            free(text);
        }
        rtrace_sink_free(signal_sink);
        rtrace_enc_free(&e);
        remove_tree(dir);
    }
}

static void test_sink__bad_arguments_named(void)
{
    rtrace_sink *s = (rtrace_sink *)1;
    CU_ASSERT_EQUAL(rtrace_sink_open(&s, "/proc/no/such/dir", RTRACE_FORMAT_JSON, 0), RTRACE_EIO);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT(strstr(rtrace_last_error(), "/proc/no/such/dir") != NULL);
    CU_ASSERT_EQUAL(rtrace_sink_open(&s, "/tmp", (rtrace_format)5, 0), RTRACE_EINVAL);
    rtrace_sink_free(NULL);
}

static void test_sink__side_files(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    const char *args[] = {"a b", "q\"uote", "\xff"};
    CU_ASSERT_EQUAL(rtrace_write_metadata(dir, "/w", "/bin/prog", args, 3), 0);
    char path[1024], src[256];
    snprintf(path, sizeof path, "%s/trace_metadata.json", dir);
    char *text = read_whole(path, NULL);
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(j, "workdir")), "/w");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(j, "program")), "/bin/prog");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "args"), 1)), "q\"uote");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "args"), 2)), "\xef\xbf\xbd");
    cJSON_Delete(j);
    free(text);
    /* A real source to copy, and one that does not exist. */
    snprintf(src, sizeof src, "%s/src.c", dir);
    FILE *f = fopen(src, "w");
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    const char *paths[] = {src, "/no/such/file.c"};
    CU_ASSERT_EQUAL(rtrace_write_paths(dir, paths, 2), 0);
    snprintf(path, sizeof path, "%s/trace_paths.json", dir);
    text = read_whole(path, NULL);
    j = cJSON_Parse(text);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 2);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetArrayItem(j, 0)), src);
    cJSON_Delete(j);
    free(text);
    CU_ASSERT_EQUAL(rtrace_copy_sources(dir, paths, 2), RTRACE_ENOTFOUND);
    CU_ASSERT(strstr(rtrace_last_error(), "/no/such/file.c") != NULL);
    snprintf(path, sizeof path, "%s/files%s", dir, src);
    text = read_whole(path, NULL);
    CU_ASSERT(text && strcmp(text, "int main(void) { return 0; }\n") == 0);
    free(text);
    remove_tree(dir);
}

/* ---- Background compression (rtrace_sink_set_background) ---------------- */

/*
 * Writes the same ~7 MiB of Step + Value events (with flushes between) to a
 * sink in `dir`, compressing on a worker thread or not. 0 when every call
 * succeeded; *total = bytes handed over.
 */
static int write_mixed(const char *dir, bool background, size_t *total)
{
    rtrace_sink *s;
    if (rtrace_sink_open(&s, dir, RTRACE_FORMAT_BINARY, 1))
        return 1;
    if (background && rtrace_sink_set_background(s, true))
        return 2;
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    int rc = 0;
    *total = 0;
    for (uint64_t i = 0; *total < (7u << 20); i++) {
        rtrace__enc_step_fast(&e, 0, (int64_t)(i % 997) + 1);
        rtrace__enc_value_int_fast(&e, i % 5, 1, (int64_t)(i * 2654435761u));
        if (e.len > 40000 + (i % 3) * 10000) {
            rc |= rtrace_sink_write(s, e.buf, e.len);
            *total += e.len;
            rtrace_enc_reset(&e);
            if (i % 101 == 0)   /* a flush now and then: short frames */
                rc |= rtrace_sink_flush(s);
        }
    }
    rc |= rtrace_sink_write(s, e.buf, e.len);
    *total += e.len;
    rc |= rtrace_sink_close(s);
    rtrace_sink_free(s);
    rtrace_enc_free(&e);
    return rc ? 3 : 0;
}

/* Background mode writes the same frames, hence the same events, as the caller's thread does. */
static void test_sink__background_same_events_as_synchronous(void)
{
    char *d1 = make_tmpdir(), *d2 = make_tmpdir();
    CU_ASSERT_FATAL(d1 && d2);
    size_t t1 = 0, t2 = 0;
    CU_ASSERT_EQUAL(write_mixed(d1, false, &t1), 0);
    CU_ASSERT_EQUAL(write_mixed(d2, true, &t2), 0);
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/trace.bin", d1);
    snprintf(p2, sizeof p2, "%s/trace.bin", d2);
    bin_layout L1 = parse_bin(p1), L2 = parse_bin(p2);
    CU_ASSERT(L1.ok && L2.ok);
    CU_ASSERT(L2.nframes > 4);   /* three full frames and flushed ones */
    CU_ASSERT_EQUAL(L1.nframes, L2.nframes);
    CU_ASSERT_EQUAL(L2.max_frame_in, RTRACE_SINK_FRAME_MAX);
    size_t n1 = 0, n2 = 0;
    unsigned char *a = bin_payload(p1, &n1), *b = bin_payload(p2, &n2);
    CU_ASSERT(a && b && n1 == t1 && n2 == t2 && n1 == n2 && memcmp(a, b, n1) == 0);
    /* frame by frame, the files are the same (same frames, same level) */
    size_t f1 = 0, f2 = 0;
    char *x = read_whole(p1, &f1), *y = read_whole(p2, &f2);
    CU_ASSERT(x && y && f1 == f2 && memcmp(x, y, f1) == 0);
    free(x);
    free(y);
    free(a);
    free(b);
    remove_tree(d1);
    remove_tree(d2);
}

/*
 * A writer faster than compression: with every slot of the ring in flight,
 * the writer's thread compresses waiting frames itself (its own context) and
 * the worker writes them in turn. The file is byte for byte the one the
 * caller's thread alone writes (same frames in the same order), and the
 * helped count shows the writer did help (12 frames at level 3: compressing
 * one takes many times longer than copying one in).
 */
static void test_sink__background_writer_helps_and_keeps_frame_order(void)
{
    char *d1 = make_tmpdir(), *d2 = make_tmpdir();
    CU_ASSERT_FATAL(d1 && d2);
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    for (uint64_t i = 0; e.len < (24u << 20); i++) {
        /* every frame different: a frame written twice or out of order shows */
        rtrace__enc_step_fast(&e, 0, (int64_t)(i / 4000) + 1);
        rtrace__enc_value_int_fast(&e, i % 7, 1, (int64_t)(i * 2654435761u));
    }
    uint64_t helped = 0;
    for (int bg = 0; bg < 2; bg++) {
        rtrace_sink *s;
        CU_ASSERT_FATAL(rtrace_sink_open(&s, bg ? d2 : d1, RTRACE_FORMAT_BINARY, 3) == 0);
        if (bg)
            CU_ASSERT_FATAL(rtrace_sink_set_background(s, true) == 0);
        for (size_t off = 0; off < e.len; off += 65536)
            CU_ASSERT_EQUAL(rtrace_sink_write(s, e.buf + off, e.len - off < 65536 ? e.len - off : 65536), 0);
        CU_ASSERT_EQUAL(rtrace_sink_close(s), 0);
        if (bg)
            helped = rtrace_sink_frames_helped(s);
        rtrace_sink_free(s);
    }
    CU_ASSERT(helped > 0);
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/trace.bin", d1);
    snprintf(p2, sizeof p2, "%s/trace.bin", d2);
    bin_layout L = parse_bin(p2);
    CU_ASSERT(L.ok);
    CU_ASSERT_EQUAL(L.nframes, (e.len + RTRACE_SINK_FRAME_MAX - 1) / RTRACE_SINK_FRAME_MAX);
    size_t n = 0, f1 = 0, f2 = 0;
    unsigned char *payload = bin_payload(p2, &n);
    CU_ASSERT(payload && n == e.len && memcmp(payload, e.buf, n) == 0);
    char *x = read_whole(p1, &f1), *y = read_whole(p2, &f2);
    CU_ASSERT(x && y && f1 == f2 && memcmp(x, y, f1) == 0);
    free(x);
    free(y);
    free(payload);
    rtrace_enc_free(&e);
    remove_tree(d1);
    remove_tree(d2);
}

/*
 * Close from a signal handler right after a full frame was handed to the
 * worker (it is pending or being compressed): the handler waits for it or
 * takes it back, and the file has every byte and a valid seek table. Several
 * rounds, so both cases are met.
 */
static void test_sink__background_close_from_signal_with_frame_in_flight(void)
{
    for (int round = 0; round < 6; round++) {
        char *dir = make_tmpdir();
        CU_ASSERT_FATAL(dir != NULL);
        CU_ASSERT_FATAL(rtrace_sink_open(&signal_sink, dir, RTRACE_FORMAT_BINARY, round % 2 ? -3 : 3) == 0);
        CU_ASSERT_FATAL(rtrace_sink_set_background(signal_sink, true) == 0);
        rtrace_enc e;
        rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
        for (int i = 0; e.len < RTRACE_SINK_FRAME_MAX * (1 + round % 3) + 1000; i++)
            rtrace__enc_value_int_fast(&e, (uint64_t)(i % 11), 1, (int64_t)i * 7919);
        CU_ASSERT_EQUAL(rtrace_sink_write(signal_sink, e.buf, e.len), 0);
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = close_from_handler;
        sigaction(SIGUSR1, &sa, &old);
        signal_close_rc = 1;
        raise(SIGUSR1);
        sigaction(SIGUSR1, &old, NULL);
        CU_ASSERT_EQUAL(signal_close_rc, 0);
        char path[1024];
        snprintf(path, sizeof path, "%s/trace.bin", dir);
        bin_layout L = parse_bin(path);
        if (!L.ok)
            fprintf(stderr, "\nround %d: %s\n", round, L.why ? L.why : "?");
        CU_ASSERT(L.ok);
        CU_ASSERT_EQUAL(L.nframes, (size_t)(2 + round % 3));
        size_t n = 0;
        unsigned char *payload = bin_payload(path, &n);
        CU_ASSERT(payload && n == e.len && memcmp(payload, e.buf, n) == 0);
        free(payload);
        rtrace_sink_free(signal_sink);
        rtrace_enc_free(&e);
        remove_tree(dir);
    }
}

/*
 * A write error on the worker reaches the caller's thread once: the next
 * write or flush fails with it in rtrace_last_error(); later calls fail
 * without reporting it again; close still ends the file.
 */
static void test_sink__background_write_error_reported_once(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, RTRACE_FORMAT_BINARY, 0) == 0);
    CU_ASSERT_FATAL(rtrace_sink_set_background(s, true) == 0);
    int full = open("/dev/full", O_WRONLY);
    CU_ASSERT_FATAL(full >= 0);
    CU_ASSERT_FATAL(dup2(full, rtrace_sink_fd(s)) >= 0);
    close(full);
    rtrace_clear_error();
    size_t n = 3u << 20;
    char *junk = malloc(n);
    memset(junk, 'x', n);
    int rc = 0;
    for (int i = 0; i < 4 && !rc; i++)
        rc = rtrace_sink_write(s, junk, n / 4);
    if (!rc)
        rc = rtrace_sink_flush(s);
    CU_ASSERT_EQUAL(rc, RTRACE_EFULL);
    CU_ASSERT(rtrace_sink_failed(s));
    CU_ASSERT(strstr(rtrace_last_error(), "trace.bin: write failed") != NULL);
    rtrace_clear_error();
    CU_ASSERT(rtrace_sink_write(s, junk, 10) < 0);
    CU_ASSERT(rtrace_sink_flush(s) < 0);
    CU_ASSERT(rtrace_sink_close(s) < 0);
    CU_ASSERT_STRING_EQUAL(rtrace_last_error(), "");   /* once */
    rtrace_sink_free(s);
    free(junk);
    remove_tree(dir);
}

/* Background on, off, on again: the binary file is still right. */
static void test_sink__background_on_off_on_keeps_the_file(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, RTRACE_FORMAT_BINARY, 0) == 0);
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    for (int i = 0; e.len < (5u << 20); i++)
        rtrace__enc_step_fast(&e, 0, i % 1000 + 1);
    size_t third = e.len / 3;
    CU_ASSERT_EQUAL(rtrace_sink_set_background(s, true), 0);
    CU_ASSERT_EQUAL(rtrace_sink_write(s, e.buf, third), 0);
    CU_ASSERT_EQUAL(rtrace_sink_set_background(s, false), 0);
    CU_ASSERT_EQUAL(rtrace_sink_write(s, e.buf + third, third), 0);
    CU_ASSERT_EQUAL(rtrace_sink_set_background(s, true), 0);
    CU_ASSERT_EQUAL(rtrace_sink_write(s, e.buf + 2 * third, e.len - 2 * third), 0);
    CU_ASSERT_EQUAL(rtrace_sink_close(s), 0);
    rtrace_sink_free(s);
    char path[1024];
    snprintf(path, sizeof path, "%s/trace.bin", dir);
    CU_ASSERT(parse_bin(path).ok);
    size_t n = 0;
    unsigned char *payload = bin_payload(path, &n);
    CU_ASSERT(payload && n == e.len && memcmp(payload, e.buf, n) == 0);
    free(payload);
    rtrace_enc_free(&e);
    remove_tree(dir);
}

/*
 * JSON: writes ~5 MiB of Step + Value events to a sink in `dir` in pieces of
 * 10-60 KB, a flush now and then, and one piece bigger than the sink's
 * buffer; background writing on or off. 0 when every call succeeded; the
 * bytes handed over are appended to *all (the caller frees it).
 */
static int write_json_mixed(const char *dir, bool background, unsigned char **all, size_t *total)
{
    rtrace_sink *s;
    if (rtrace_sink_open(&s, dir, RTRACE_FORMAT_JSON, 0))
        return 1;
    if (background && rtrace_sink_set_background(s, true))
        return 2;
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    e.json_first = false;
    size_t cap = 8u << 20;
    *all = malloc(cap);
    *total = 0;
    int rc = 0;
    for (uint64_t i = 0; *total < (5u << 20); i++) {
        rtrace__enc_step_fast(&e, 0, (int64_t)(i % 997) + 1);
        rtrace__enc_value_int_fast(&e, i % 5, 1, (int64_t)(i * 2654435761u));
        size_t piece = i > 20000 && i < 40000 ? (3u << 20) / 2 : 10000 + (i % 6) * 10000;
        if (e.len > piece) {
            rc |= rtrace_sink_write(s, e.buf, e.len);
            memcpy(*all + *total, e.buf, e.len);
            *total += e.len;
            rtrace_enc_reset(&e);
            e.json_first = false;
            if (i % 7 == 0)
                rc |= rtrace_sink_flush(s);
        }
    }
    rc |= rtrace_sink_close(s);
    rtrace_sink_free(s);
    rtrace_enc_free(&e);
    return rc ? 3 : 0;
}

/* JSON written by the worker is byte for byte what the caller's thread writes:
 * "[\n", every byte handed over in order, "\n]\n". */
static void test_sink__json_background_same_bytes_as_synchronous(void)
{
    char *d1 = make_tmpdir(), *d2 = make_tmpdir();
    CU_ASSERT_FATAL(d1 && d2);
    unsigned char *a1 = NULL, *a2 = NULL;
    size_t t1 = 0, t2 = 0;
    CU_ASSERT_EQUAL(write_json_mixed(d1, false, &a1, &t1), 0);
    CU_ASSERT_EQUAL(write_json_mixed(d2, true, &a2, &t2), 0);
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/trace.json", d1);
    snprintf(p2, sizeof p2, "%s/trace.json", d2);
    size_t f1 = 0, f2 = 0;
    char *x = read_whole(p1, &f1), *y = read_whole(p2, &f2);
    CU_ASSERT_FATAL(x && y && a1 && a2);
    CU_ASSERT(t1 == t2 && t1 > (5u << 20));
    CU_ASSERT_EQUAL(f2, t2 + 5);
    CU_ASSERT(f1 == f2 && memcmp(x, y, f1) == 0);
    CU_ASSERT(memcmp(y, "[\n", 2) == 0 && memcmp(y + 2, a2, t2) == 0 && memcmp(y + 2 + t2, "\n]\n", 3) == 0);
    free(x);
    free(y);
    free(a1);
    free(a2);
    remove_tree(d1);
    remove_tree(d2);
}

/* JSON, background: after flush every byte written is in the file. */
static void test_sink__json_background_flush_reaches_the_file(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, RTRACE_FORMAT_JSON, 0) == 0);
    CU_ASSERT_FATAL(rtrace_sink_set_background(s, true) == 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/trace.json", dir);
    const char ev[] = "{\"Step\":{\"path_id\":0,\"line\":1}}";
    size_t expect = 2;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 50000; i++) {
            CU_ASSERT_EQUAL(rtrace_sink_write(s, i || round ? ",\n" : "", i || round ? 2 : 0), 0);
            CU_ASSERT_EQUAL(rtrace_sink_write(s, ev, sizeof ev - 1), 0);
            expect += (i || round ? 2 : 0) + sizeof ev - 1;
        }
        CU_ASSERT_EQUAL(rtrace_sink_flush(s), 0);
        struct stat st;
        CU_ASSERT(stat(path, &st) == 0 && (size_t)st.st_size == expect);
        CU_ASSERT_EQUAL(rtrace_sink_bytes_out(s), expect);
    }
    CU_ASSERT_EQUAL(rtrace_sink_close(s), 0);
    rtrace_sink_free(s);
    remove_tree(dir);
}

/* JSON, background: a write error on the worker is reported once, with the file's name. */
static void test_sink__json_background_write_error_reported_once(void)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, RTRACE_FORMAT_JSON, 0) == 0);
    CU_ASSERT_FATAL(rtrace_sink_set_background(s, true) == 0);
    int full = open("/dev/full", O_WRONLY);
    CU_ASSERT_FATAL(full >= 0);
    CU_ASSERT_FATAL(dup2(full, rtrace_sink_fd(s)) >= 0);
    close(full);
    rtrace_clear_error();
    size_t n = 3u << 20;
    char *junk = malloc(n);
    memset(junk, 'x', n);
    int rc = 0;
    for (int i = 0; i < 8 && !rc; i++)
        rc = rtrace_sink_write(s, junk, n / 8);
    if (!rc)
        rc = rtrace_sink_flush(s);
    CU_ASSERT_EQUAL(rc, RTRACE_EFULL);
    CU_ASSERT(rtrace_sink_failed(s));
    CU_ASSERT(strstr(rtrace_last_error(), "trace.json: write failed") != NULL);
    rtrace_clear_error();
    CU_ASSERT(rtrace_sink_write(s, junk, 10) < 0);
    CU_ASSERT(rtrace_sink_flush(s) < 0);
    CU_ASSERT(rtrace_sink_close(s) < 0);
    CU_ASSERT_STRING_EQUAL(rtrace_last_error(), "");   /* once */
    rtrace_sink_free(s);
    free(junk);
    remove_tree(dir);
}

void register_sink_suite(void)
{
    CU_pSuite s = CU_add_suite("sink", NULL, NULL);
    CU_add_test(s, "sink__good_bin_layout_parses", test_sink__good_bin_layout_parses);
    CU_add_test(s, "sink__binary_same_payload_and_layout_as_good_bin", test_sink__binary_same_payload_and_layout_as_good_bin);
    CU_add_test(s, "sink__json_file_is_one_array", test_sink__json_file_is_one_array);
    CU_add_test(s, "sink__large_trace_frames_at_most_frame_max", test_sink__large_trace_frames_at_most_frame_max);
    CU_add_test(s, "sink__dev_full_reports_error_binary", test_sink__dev_full_reports_error_binary);
    CU_add_test(s, "sink__dev_full_reports_error_json", test_sink__dev_full_reports_error_json);
    CU_add_test(s, "sink__write_error_keeps_file_valid", test_sink__write_error_keeps_file_valid);
    CU_add_test(s, "sink__out_of_room_keeps_the_events_that_fit", test_sink__out_of_room_keeps_the_events_that_fit);
    CU_add_test(s, "sink__json_no_room_to_close_drops_the_last_event",
                test_sink__json_no_room_to_close_drops_the_last_event);
    CU_add_test(s, "sink__lazy_descriptor_file_complete_between_writes",
                test_sink__lazy_descriptor_file_complete_between_writes);
    CU_add_test(s, "sink__close_from_signal_handler", test_sink__close_from_signal_handler);
    CU_add_test(s, "sink__bad_arguments_named", test_sink__bad_arguments_named);
    CU_add_test(s, "sink__side_files", test_sink__side_files);
    CU_add_test(s, "sink__background_same_events_as_synchronous", test_sink__background_same_events_as_synchronous);
    CU_add_test(s, "sink__background_writer_helps_and_keeps_frame_order",
                test_sink__background_writer_helps_and_keeps_frame_order);
    CU_add_test(s, "sink__background_close_from_signal_with_frame_in_flight",
                test_sink__background_close_from_signal_with_frame_in_flight);
    CU_add_test(s, "sink__background_write_error_reported_once", test_sink__background_write_error_reported_once);
    CU_add_test(s, "sink__background_on_off_on_keeps_the_file", test_sink__background_on_off_on_keeps_the_file);
    CU_add_test(s, "sink__json_background_same_bytes_as_synchronous",
                test_sink__json_background_same_bytes_as_synchronous);
    CU_add_test(s, "sink__json_background_flush_reaches_the_file", test_sink__json_background_flush_reaches_the_file);
    CU_add_test(s, "sink__json_background_write_error_reported_once",
                test_sink__json_background_write_error_reported_once);
}
