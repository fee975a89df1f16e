/* Internal: where the sensor agent's readings come from
 * (docs/sensor-agent.md, "Sources").
 *
 * - gpsd (gpsd://HOST:PORT) through libgps: each TPV report with a 2D or
 *   3D fix and a time gives one reading (reports of a time not after the
 *   last one are dropped: gpsd sends one per sentence of an epoch). The
 *   value is the fix's speed in cm/s, its altitude above mean sea level
 *   in cm, or the integer in a side file (--value-file: read at every fix,
 *   e.g. written by an OBD reader).
 * - a recorded drive file: CSV ("t_ms,lat_udeg,lon_udeg,value" a line,
 *   '#' comment lines, blank lines skipped) or NMEA 0183 (told by a first
 *   data line starting with '$'): one reading per valid $xxRMC, its value
 *   the RMC speed in cm/s, or with SSRC_VALUE_ALT the altitude (cm) of the
 *   latest $xxGGA before it (0 before any). A sentence whose checksum is wrong
 * is skipped. libgps has no NMEA parser a client can call (the parser lives in
 * gpsd itself), hence the small one here. A drive is replayed at speed_pm /
 * 1000 times its recorded pace (0: as fast as asked); a paced drive with
 * rebase_ms or loop stamps each reading with the time it is replayed, so
 * its times follow the clock. With clock_phase (paced and looped) every
 * pass starts where the wall clock puts it (phase = now mod the pass's
 * length): agents replaying drives of one length stay in step across
 * restarts.
 *
 * Readings come out in time order; a drive's readings that go back in
 * time are refused when the file is opened. */
#ifndef CAIRN_SENSOR_SOURCE_H
#define CAIRN_SENSOR_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "sensor/batch.h"

#define SSRC_DRIVE_MAX 1000000u /* readings in one drive file */
#define SSRC_LINE_MAX 512
#define SSRC_LOOP_GAP_MS 1000 /* a looped drive restarts this long after */

enum ssrc_value {
    SSRC_VALUE_SPEED = 0, /* cm/s */
    SSRC_VALUE_ALT = 1,   /* cm above mean sea level */
};

typedef struct ssrc_opts {
    uint64_t speed_pm;      /* drive replay pace x 1000; 0: no waiting */
    int loop;               /* drive: start over at the end */
    int clock_phase;        /* drive, paced and looped: passes on the clock */
    uint64_t rebase_ms;     /* drive: 0 keeps the recorded times; else the
                               first reading is given this time and the rest
                               keep their recorded spacing */
    enum ssrc_value value;  /* gpsd and NMEA */
    const char *value_file; /* gpsd: read the value from this file */
} ssrc_opts;

typedef struct ssrc ssrc;

enum { SSRC_READING = 1, SSRC_WAIT = 0, SSRC_END = -1, SSRC_ERROR = -2 };

/* Loads a drive file (CSV or NMEA). The caller owns *out (ssrc_close).
 * IO, BAD_ARG (a line that is not a reading, named with its number),
 * TOO_LARGE (more than SSRC_DRIVE_MAX readings), NOT_FOUND (no readings),
 * each with why. */
cairn_err ssrc_open_drive(ssrc **out, const char *path, const ssrc_opts *o,
                          char *why, size_t wl);
/* Connects to gpsd at url ("gpsd://HOST:PORT", or "HOST:PORT") and asks
 * for its reports. HTTP-like transport failure: IO with why. The caller
 * owns *out (ssrc_close). */
cairn_err ssrc_open_gpsd(ssrc **out, const char *url, const ssrc_opts *o,
                         char *why, size_t wl);
/* The next reading: SSRC_READING (in *r), SSRC_WAIT (none within
 * timeout_ms; call again), SSRC_END (a drive without loop is done) or
 * SSRC_ERROR (gpsd went away: why says so; close and open again). */
int ssrc_next(ssrc *s, sbatch_reading *r, int timeout_ms, char *why, size_t wl);
/* How many times a looped drive has started over (0 for gpsd): a batch
 * must not span a restart, whose jump back to the start is no drive. */
uint32_t ssrc_pass(const ssrc *s);
/* Readings a drive holds (0 for gpsd). */
uint32_t ssrc_count(const ssrc *s);
void ssrc_close(ssrc *s);

/* ---- the parsers, for tests ---- */

/* One CSV line: CAIRN_OK with *r, NOT_FOUND for a comment or blank line,
 * BAD_ARG for anything else. */
cairn_err ssrc_csv_line(const char *line, sbatch_reading *r);

typedef struct ssrc_nmea {
    enum ssrc_value value;
    uint32_t gga_tod_ms; /* time of day of the latest GGA */
    int have_gga;
    int64_t gga_alt_cm;
    uint64_t bad; /* sentences skipped: bad checksum or fields */
} ssrc_nmea;

/* One NMEA line: 1 and *r for a valid RMC, 0 for any other line (GGA is
 * remembered), -1 for a malformed sentence (counted in st->bad). */
int ssrc_nmea_line(ssrc_nmea *st, const char *line, sbatch_reading *r);

/* Unix ms of a UTC date and time of day. */
uint64_t ssrc_unix_ms(int year, int mon, int day, uint32_t tod_ms);

#endif
