#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Event accounting: a burst arrives with contiguous sequence numbers; when
# the ring (ring_size=64 here) overflows, every event still gets a sequence
# number and the lost counter accounts for exactly the ones dropped.
. "$(dirname "$0")/../lib.sh"
sim_setup

RING=64

# "seq lost" of each received event.
seq_lost() {
	sed -n 's/.*"pvpanic": {"seq": \([0-9]*\),.*"lost": \([0-9]*\)}}$/\1 \2/p' "$MON_OUT"
}

# mon_stop_at N LOST0: stop the monitor once it has printed every one of
# N events numbered since the lost counter read LOST0 that the model did
# not count lost (or after loop_until's time, leaving the count short).
mon_stop_at() {
	drain
	loop_until "[ \$((\$(seq_lost | wc -l) + \$(cfg_field lost) - $2)) -ge $1 ]"
	mon_stop
}

# mark: the counters a section starts from.
mark() {
	seq0=$(cfg_field seq)
	lost0=$(cfg_field lost)
}

# tally N: stop the monitor at N events since mark (mon_stop_at); then
# $numbered is how many sequence numbers were given since, $accounted how
# many events were received or counted lost.
tally() {
	mon_stop_at "$1" "$lost0"
	numbered=$(($(cfg_field seq) - seq0))
	accounted=$(($(seq_lost | wc -l) + $(cfg_field lost) - lost0))
}

sim_load panic_action=none ring_size=$RING
check "ring_size parameter" "$(cat /sys/module/pvpanic_sim/parameters/ring_size)" $RING

# 1. Held in the ring (60 < 64), then released: all delivered, in order.
mark
mon_start --count 60 --timeout 30000
echo 1 > "$SIM_DBG/hold"
wrpt "2 60"
echo 0 > "$SIM_DBG/hold"
mon_wait
check "burst of 60: monitor exit" "$MON_RC" 0
check "burst of 60: sequence numbers" "$(seq_lost | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(seq $((seq0 + 1)) $((seq0 + 60)) | tr '\n' ' ')"
check "burst of 60: nothing lost" "$(seq_lost | cut -d' ' -f2 | sort -u)" 0
check "burst of 60: all GUEST_CRASHLOADED" "$(mon_events | sort -u)" "$EV_GC"

# 2. Overflow: 100 events while held; 64 kept, 36 lost, all numbered.
mark
mon_start --count $((RING + 1)) --timeout 30000
echo 1 > "$SIM_DBG/hold"
wrpt "2 100"
check "overflow: ring full" "$(cat "$SIM_DBG/pending")" $RING
echo 0 > "$SIM_DBG/hold"
drain
wrpt 1
mon_wait
check "overflow: monitor exit" "$MON_RC" 0
check "overflow: kept events numbered first to 64th" \
	"$(seq_lost | head -n $RING | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(seq $((seq0 + 1)) $((seq0 + RING)) | tr '\n' ' ')"
check "overflow: kept events saw no loss yet" \
	"$(seq_lost | head -n $RING | cut -d' ' -f2 | sort -u)" "$lost0"
check "overflow: next event after the gap" "$(seq_lost | tail -n 1)" \
	"$((seq0 + 101)) $((lost0 + 36))"
check "overflow: config seq" "$(cfg_field seq)" $((seq0 + 101))
check "overflow: config lost" "$(cfg_field lost)" $((lost0 + 36))

# 3. Live burst, delivery running concurrently: received + lost = sent,
#    and each gap in the sequence is matched by the lost counter.
mark
mon_start --timeout 120000
wrpt "2 300"
tally 300
check "live burst: 300 sequence numbers" $numbered 300
check "live burst: received + lost = sent" $accounted 300
bad=$(seq_lost | awk -v s="$seq0" -v l="$lost0" '
	{ if ($1 <= s || $1 - s - 1 != $2 - l) { print; exit } s = $1; l = $2 }')
check "live burst: gaps match the lost counter" "$bad" ""

# 4. Two writers and control commands at the same time: every event is
#    numbered once, and received + lost still equals what was numbered.
mark
mon_start --timeout 120000
wrpt "2 200" &
w1=$!
wrpt "2 200" &
w2=$!
for _ in $(seq 20); do
	mon stop
	mon cont
done
wait $w1 $w2
tally 440
check "concurrent: 400 writes and 20 stop/cont numbered" $numbered 440
check "concurrent: received + lost = numbered" $accounted 440
check "concurrent: sequence strictly increasing" \
	"$(seq_lost | awk -v s="$seq0" '$1 <= s { print; exit } { s = $1 }')" ""
check "concurrent: model still running" "$(status_of)" running

finish
