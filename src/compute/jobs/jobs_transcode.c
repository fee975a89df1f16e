/* The transcode runner: one rendition of a video segment with ffmpeg and
 * libx264, settings fixed so that the output is the same bytes on every
 * run and machine with the same ffmpeg (docs/compute-verify.md, "Jobs"):
 * one thread (x264's frame threads and slices change the bitstream),
 * preset and CRF fixed, no audio, bitexact muxer and encoder flags (no
 * version string or creation time in the file), metadata dropped. */
#include <stdio.h>
#include <stdlib.h>

#include "compute/jobs/jobs.h"
#include "compute/sandbox.h"

cairn_err job_transcode_one(const job_params *jp, const uint8_t *in, size_t n,
                            const char *dir, uint32_t r, uint8_t **out,
                            size_t *out_n, char *why, size_t len)
{
    char scale[64];
    snprintf(scale, sizeof scale, "scale=%u:%u", jp->u.tc.w[r], jp->u.tc.h[r]);
    /* clang-format off */
    const char *argv[] = {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel",
                          "error", "-y", "-i", "seg", "-an", "-c:v",
                          "libx264", "-threads", "1", "-preset", "veryfast",
                          "-crf", "28", "-vf", scale, "-x264-params",
                          "threads=1", "-fflags", "+bitexact", "-flags:v",
                          "+bitexact", "-map_metadata", "-1", "-f", "mp4",
                          "out.mp4", NULL};
    /* clang-format on */
    cairn_err e = job_write_file(dir, "seg", in, n);
    if (e) {
        snprintf(why, len, "cannot write the segment to %s", dir);
        return e;
    }
    if ((e = job_sandbox_run(dir, argv, why, len)))
        return e;
    e = job_read_file(dir, "out.mp4", JOB_OUTPUT_MAX, out, out_n);
    if (e == CAIRN_ERR_TOO_LARGE)
        snprintf(why, len, "rendition %u is larger than %u bytes", r,
                 JOB_OUTPUT_MAX);
    else if (e)
        snprintf(why, len, "ffmpeg wrote no rendition %u", r);
    return e ? CAIRN_ERR_JOB_FAILED : CAIRN_OK;
}
