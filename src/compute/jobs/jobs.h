/* Internal: verified-work jobs off chain (issue 10; docs/compute-verify.md,
 * "Jobs"). A job is (type, params, input); running it gives a list of
 * parts whose Merkle root the miner signs in its claim (cairn/job.h), and
 * any part can be recomputed alone, which is how a validator samples.
 *
 *   transcode (1)  input: a video segment (<= JOB_TRANSCODE_INPUT_MAX);
 *                  params: the renditions (width x height); one part per
 *                  rendition: the MP4 ffmpeg/libx264 writes with settings
 *                  fixed for byte-exact output (jobs_transcode.c)
 *   render (2)     input: a POV-Ray scene (<= JOB_RENDER_INPUT_MAX bytes of
 *                  text); params: width, height, strips; one part per
 *                  horizontal strip: its pixel rows, 3 bytes a pixel (RGB),
 *                  rendered alone by povray +SR/+ER (jobs_render.c)
 *   matmul (3)     input: A (n x k) then B (k x m), row-major, entries in
 *                  F_p (p = 2^61 - 1) as u64 LE; params: n, k, m; one part
 *                  per row of C = A.B mod p (m u64 LE), computed in process
 *                  (jobs_matmul.c)
 *
 * The external tools run in the compute sandbox (compute/sandbox.h) with
 * fixed arguments, no network, and bounded CPU time, memory and disk. */
#ifndef CAIRN_COMPUTE_JOBS_H
#define CAIRN_COMPUTE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"
#include "cairn/job.h"

enum job_type {
    JOB_TRANSCODE = CAIRN_JOB_TRANSCODE,
    JOB_RENDER = CAIRN_JOB_RENDER,
    JOB_MATMUL = CAIRN_JOB_MATMUL
};
#define JOB_TYPE_MAX 3

#define JOB_PARAMS_MAX 64        /* encoded params bytes */
#define JOB_INPUT_MAX (8u << 20) /* any job's input */
#define JOB_TRANSCODE_INPUT_MAX (8u << 20)
#define JOB_RENDER_INPUT_MAX (64u << 10)
#define JOB_OUTPUT_MAX (8u << 20) /* all parts together */
#define JOB_PARTS_MAX 512u
#define JOB_RENDITIONS_MAX 4
#define JOB_VIDEO_DIM_MIN 16
#define JOB_VIDEO_DIM_MAX 1920
#define JOB_RENDER_DIM_MAX 2048
#define JOB_STRIPS_MAX 64
#define JOB_MM_DIM_MAX 512u
#define JOB_CPU_SECONDS 120 /* per tool run */
#define JOB_WALL_MS 180000  /* per tool run */
#define JOB_MEM_BYTES (1024ull << 20)
#define JOB_DISK_BYTES (256ull << 20)

/* A job's parameters, decoded. */
typedef struct job_params {
    uint8_t type;
    union {
        struct {
            uint8_t count;
            uint16_t w[JOB_RENDITIONS_MAX], h[JOB_RENDITIONS_MAX];
        } tc;
        struct {
            uint16_t width, height, strips;
        } rd;
        struct {
            uint32_t n, k, m;
        } mm;
    } u;
} job_params;

/* The params bytes (what input_root hashes), little-endian, canonical:
 *   transcode: u8 1 (version) || u8 count (1..4) || count x (u16 width ||
 *              u16 height), each even, 16..1920
 *   render:    u8 1 || u16 width || u16 height (1..2048 each) || u16
 *              strips (1..min(64, height))
 *   matmul:    u8 1 || u32 n || u32 k || u32 m (1..512 each)
 * Encode appends to b. Decode: JOB_INPUT with why for anything else
 * (unknown type, a bound, trailing bytes). */
void job_params_encode(cairn_buf *b, const job_params *jp);
cairn_err job_params_decode(job_params *jp, uint8_t type, const uint8_t *p,
                            size_t n, char *why, size_t len) CAIRN_WUR;
/* The number of parts a job of these params has. */
uint32_t job_part_count(const job_params *jp);
/* Checks the input against the params (size bounds; matmul: exact size,
 * entries below p): CAIRN_OK or JOB_INPUT with why. */
cairn_err job_input_ok(const job_params *jp, const uint8_t *in, size_t n,
                       char *why, size_t len) CAIRN_WUR;
/* input_root (cairn/job.h): transcode/render cairn_job_input_root(type,
 * params bytes, input); matmul cairn_mm_input_root over the rows of A and
 * the columns of B. The input must have passed job_input_ok. */
void job_input_root(cairn_hash *out, const job_params *jp, const uint8_t *in,
                    size_t n);

/* A matmul input's A (n x k) and B (k x m) as u64 arrays; the caller
 * frees *a and *b. NOMEM. */
cairn_err job_mm_load(const job_params *jp, const uint8_t *in, uint64_t **a,
                      uint64_t **b) CAIRN_WUR;

/* A job's output: count parts in one buffer. */
typedef struct job_parts {
    uint32_t count;
    uint8_t *buf; /* owned */
    size_t *off;  /* owned: count + 1 offsets into buf */
} job_parts;

void job_parts_free(job_parts *jp);
/* Part i's bytes and length. */
const uint8_t *job_part(const job_parts *jp, uint32_t i, size_t *len);
/* Builds parts from count (pointer, length) pairs (copied). NOMEM. */
cairn_err job_parts_from(job_parts *out, uint32_t count,
                         const uint8_t *const *p, const size_t *n) CAIRN_WUR;
/* output_root: cairn_job_parts_root over the parts in order. */
cairn_err job_output_root(cairn_hash *out, const job_parts *jp) CAIRN_WUR;

/* How the runner runs: a scratch directory of its own (it makes and
 * removes subdirectories there) and a cheat to apply (tests, devnet). */
enum job_cheat { JOB_HONEST = 0, JOB_CHEAT = 1 };

/* Runs the whole job: *out gets every part (the caller frees it with
 * job_parts_free). JOB_FAILED with why when a tool fails or hits a limit,
 * SANDBOX when the sandbox cannot start, JOB_INPUT for bad input. With
 * cheat: transcode flips one byte of rendition 0, render renders strip 0
 * at +Q2 without antialiasing, matmul adds 1 to C[0][0]. */
cairn_err job_run(const job_params *jp, const uint8_t *in, size_t n,
                  const char *scratch, int cheat, job_parts *out, char *why,
                  size_t len) CAIRN_WUR;
/* Runs part `index` alone (a validator's sample): *out (malloc'd, caller
 * frees) its *out_n bytes, the same bytes job_run gives for it. */
cairn_err job_run_part(const job_params *jp, const uint8_t *in, size_t n,
                       const char *scratch, uint32_t index, uint8_t **out,
                       size_t *out_n, char *why, size_t len) CAIRN_WUR;

/* ---- runners (one file each) ---- */
cairn_err job_transcode_one(const job_params *jp, const uint8_t *in, size_t n,
                            const char *dir, uint32_t r, uint8_t **out,
                            size_t *out_n, char *why, size_t len) CAIRN_WUR;
cairn_err job_render_strip(const job_params *jp, const uint8_t *in, size_t n,
                           const char *dir, uint32_t s, int cheat,
                           uint8_t **out, size_t *out_n, char *why,
                           size_t len) CAIRN_WUR;
/* Row i of C (m u64 LE, into row). */
void job_matmul_row(const job_params *jp, const uint8_t *in, uint32_t i,
                    uint8_t *row);
/* The pixel rows [first, first + rows) of a binary PPM (P6, maxval 255,
 * comments allowed) of width w: *out (malloc'd) w*rows*3 bytes. JOB_FAILED
 * when it is not such a file. */
cairn_err job_ppm_rows(const uint8_t *p, size_t n, uint32_t w, uint32_t h,
                       uint32_t first, uint32_t rows, uint8_t **out,
                       size_t *out_n) CAIRN_WUR;

/* Runs argv in the sandbox with dir as /work and the job limits, waits
 * (bounded by JOB_WALL_MS): CAIRN_OK when it exits 0, else JOB_FAILED or
 * SANDBOX with why (the tool's log tail where it helps). */
cairn_err job_sandbox_run(const char *dir, const char *const *argv, char *why,
                          size_t len) CAIRN_WUR;
/* Writes n bytes to dir/name; reads dir/name (malloc'd, at most max). */
cairn_err job_write_file(const char *dir, const char *name, const uint8_t *p,
                         size_t n) CAIRN_WUR;
cairn_err job_read_file(const char *dir, const char *name, size_t max,
                        uint8_t **out, size_t *n) CAIRN_WUR;
/* The same by path. */
cairn_err job_write_path(const char *path, const uint8_t *p,
                         size_t n) CAIRN_WUR;
cairn_err job_read_path(const char *path, size_t max, uint8_t **out,
                        size_t *n) CAIRN_WUR;
/* A fresh private directory under scratch (caller removes it with
 * cairn_dir_remove): into out (len bytes). */
cairn_err job_tmpdir(const char *scratch, char *out, size_t len) CAIRN_WUR;

#endif
