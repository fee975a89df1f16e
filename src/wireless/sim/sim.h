/* `cairn sim`: simulators for tests and the devnet (docs/wireless-sim.md).
 * The wireless plug-in's command table names cmd_sim as "sim". */
#ifndef CAIRN_WIRELESS_SIM_SIM_H
#define CAIRN_WIRELESS_SIM_SIM_H

/* `cairn sim radio ...` and its usage; returns the exit status. */
int cmd_sim(int argc, char **argv);
/* `cairn sim radio --scenario FILE [--seed N] [--log FILE] [--duration S]`:
 * plays the air between Semtech packet forwarders (one per hotspot of the
 * scenario), devices and replayers until SIGINT/SIGTERM or the duration.
 * argv: the words after "radio". Returns the exit status. */
int cmd_sim_radio(int argc, char **argv);

#endif
