/* `cairn sensor ...` (src/sensor/cli/): devices and their owners' grants,
 * apps paying for and reading granted data, and the map's tiles, bounties
 * and paid reads (docs/sensor-cli.md). */
#ifndef CAIRN_SENSOR_CLI_H
#define CAIRN_SENSOR_CLI_H

/* The `sensor` command: argv holds the words after "sensor". Returns the
 * exit status (0 done, 1 failed, 2 bad usage). */
int cmd_sensor(int argc, char **argv);

#endif
