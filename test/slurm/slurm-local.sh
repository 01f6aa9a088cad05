#!/usr/bin/env bash
# slurm-local.sh - a real Slurm cluster (munge + slurmctld + slurmd [+ slurmdbd/MariaDB])
# on this one Debian 12 machine, without systemd, for finqa's Slurm tests (test/slurm.test.ts) and CI.
#
# Adapted from the project's shared recipe "slurm-local" (a tested single-host Slurm: Debian slurm-wlm +
# munge, fake GPUs as character devices, several fake nodes, requeue, dependencies). finqa's defaults: two
# fake nodes of 8 GPUs, 64 CPUs and 256000 MB each (one config serves every test, multi-node included),
# a 5 s credential lifetime, so a requeued job starts again within seconds, and no cluster-wide
# kill_invalid_depend: the batch files must ask for it themselves, as on a cluster that lacks it.
#
# Usage:  slurm-local.sh [up|down|status|smoke|wait JOBID [TIMEOUT_S]|reset]
#   up      (default) install packages if missing, write config, start daemons,
#           wait until every node is idle, print "SLURM-LOCAL READY". Idempotent:
#           a running, correctly configured cluster is left alone.
#   down    stop the daemons this script started (by recorded PID, never by name).
#   status  show the recorded daemons, scontrol ping and sinfo.
#   smoke   submit a few jobs (plain, srun, fake GPUs, dependency, multi-node) and check them.
#   wait    poll one job until it ends; prints "JOBID STATE EXITCODE"; exit 0 iff COMPLETED,
#           1 for any other end state, 124 on timeout (default 300 s).
#   reset   down + wipe Slurm state/spool (job ids restart at 1) + up.
#
# Knobs (environment):
#   SLURM_LOCAL_NODES=2        fake nodes, one slurmd each, all on 127.0.0.1 (1 => node named $(hostname -s))
#   SLURM_LOCAL_CPUS=64        CPUs advertised per node (may exceed the real count: config_overrides)
#   SLURM_LOCAL_MEM=256000     RealMemory (MB) advertised per node
#   SLURM_LOCAL_GPUS=8         fake GPUs per node (0 = no GRES at all)
#   SLURM_LOCAL_GPU_TYPE=      optional GPU type, e.g. h100 (then gpu:h100:8; untyped requests still work)
#   SLURM_LOCAL_ACCOUNTING=0   1 = also install/run MariaDB + slurmdbd so that sacct works
#   SLURM_LOCAL_PARTITION=debug, SLURM_LOCAL_CLUSTER=localcluster
#   SLURM_LOCAL_CRED_EXPIRE=5  seconds; also the delay before a requeued job may start again
# shellcheck disable=SC2016 # the smoke jobs' --wrap commands expand inside the job
set -euo pipefail

CMD=${1:-up}
H=$(hostname -s 2>/dev/null || hostname)
NODES=${SLURM_LOCAL_NODES:-2}
CPUS=${SLURM_LOCAL_CPUS:-64}
GPUS=${SLURM_LOCAL_GPUS:-8}
GPU_TYPE=${SLURM_LOCAL_GPU_TYPE:-}
ACCT=${SLURM_LOCAL_ACCOUNTING:-0}
PART=${SLURM_LOCAL_PARTITION:-debug}
CLUSTER=${SLURM_LOCAL_CLUSTER:-localcluster}
CRED_EXPIRE=${SLURM_LOCAL_CRED_EXPIRE:-5}

ETC=/etc/slurm
RUNDIR=/run/slurm-local            # PIDs of the daemons *this script* started
LIB=/var/lib/slurm-local           # fake GPU device nodes
CTLD_STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOG=/var/log/slurm
DB_PASS=slurmlocal
export DEBIAN_FRONTEND=noninteractive

log() { printf '[slurm-local %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
[ "$(id -u)" = 0 ] || die "must run as root"

node_names() {
  if [ "$NODES" -le 1 ]; then echo "$H"; else seq -f 'node%g' 1 "$NODES"; fi
}

# ---- process bookkeeping: only PIDs we recorded, checked against the expected program name
alive() { # alive PID COMM
  [ -n "${1:-}" ] && [ -r "/proc/$1/comm" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}
record() { mkdir -p "$RUNDIR"; echo "$2" > "$RUNDIR/$1.pid"; }
pid_from() { cat "$1" 2>/dev/null || true; }
stop_recorded() { # stop_recorded NAME:COMM ... : SIGTERM all of them, then wait (SIGKILL after 20 s)
  local spec name comm f p i pids=() names=() comms=()
  for spec in "$@"; do
    name=${spec%%:*}; comm=${spec#*:}; f="$RUNDIR/$name.pid"
    [ -f "$f" ] || continue
    p=$(cat "$f"); rm -f "$f"
    alive "$p" "$comm" || continue
    kill -TERM "$p" 2>/dev/null || true
    pids+=("$p"); names+=("$name"); comms+=("$comm")
  done
  for i in "${!pids[@]}"; do
    for _ in $(seq 200); do alive "${pids[$i]}" "${comms[$i]}" || break; sleep 0.1; done
    if alive "${pids[$i]}" "${comms[$i]}"; then log "${names[$i]} (${pids[$i]}) ignored SIGTERM, sending SIGKILL"; kill -KILL "${pids[$i]}" || true; fi
    log "stopped ${names[$i]} (pid ${pids[$i]})"
  done
}
slurmd_specs() { local f; for f in "$RUNDIR"/slurmd-*.pid; do [ -e "$f" ] && echo "$(basename "$f" .pid):slurmd"; done; return 0; }

# ---- packages
apt_install() {
  local pkgs=("$@") missing=() p guard=0
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  # never let the maintainer scripts start services (no systemd here; we start them ourselves)
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; guard=1; fi
  local t0; t0=$(now)
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/slurm-local-apt.log 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update >>/tmp/slurm-local-apt.log 2>&1 || true
    apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/slurm-local-apt.log 2>&1 \
      || { [ $guard = 1 ] && rm -f /usr/sbin/policy-rc.d; tail -20 /tmp/slurm-local-apt.log >&2; die "apt-get install failed"; }
  fi
  [ $guard = 1 ] && rm -f /usr/sbin/policy-rc.d
  log "installed in $(since "$t0")s"
}

# ---- munge
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
start_munge() {
  if munge_ok; then log "munged already running"; return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating munge key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key --force
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
  fi
  # munged refuses a key not owned by the user it runs as; run it as 'munge' like systemd does
  chown munge:munge /etc/munge /etc/munge/munge.key; chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge; chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged --force     # --force: tolerate a stale socket left by a killed munged
  local i; for i in $(seq 50); do munge_ok && break; sleep 0.1; done
  munge_ok || { tail -5 /var/log/munge/munged.log >&2; die "munged did not come up"; }
  record munged "$(pid_from /run/munge/munged.pid)"
  log "munged started (pid $(cat $RUNDIR/munged.pid))"
}

# ---- MariaDB + slurmdbd (only with SLURM_LOCAL_ACCOUNTING=1)
start_mariadb() {
  if mariadb-admin ping >/dev/null 2>&1; then log "MariaDB already running"; else
    mkdir -p /run/mysqld; chown mysql:mysql /run/mysqld
    setsid nohup /usr/sbin/mariadbd --user=mysql --pid-file=/run/mysqld/mysqld.pid \
      >"$LOG/mariadb.log" 2>&1 </dev/null &
    local i; for i in $(seq 150); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 0.2; done
    mariadb-admin ping >/dev/null 2>&1 || { tail -5 "$LOG/mariadb.log" >&2; die "MariaDB did not come up"; }
    record mariadbd "$(pid_from /run/mysqld/mysqld.pid)"
    log "MariaDB started (pid $(cat $RUNDIR/mariadbd.pid))"
  fi
  mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
}
dbd_ok() { sacctmgr -n -P show cluster >/dev/null 2>&1; }
start_slurmdbd() {
  if alive "$(pid_from /run/slurmdbd.pid)" slurmdbd; then log "slurmdbd already running"; return; fi
  slurmdbd
  local i; for i in $(seq 100); do dbd_ok && break; sleep 0.2; done
  dbd_ok || { tail -5 "$LOG/slurmdbd.log" >&2; die "slurmdbd did not come up"; }
  record slurmdbd "$(pid_from /run/slurmdbd.pid)"
  log "slurmdbd started (pid $(cat $RUNDIR/slurmdbd.pid))"
}

# ---- configuration
fake_gpu_files() { # prints the File= value for node index $1 (0-based); creates device nodes
  local n=$1 first=$(( $1 * GPUS )) last=$(( $1 * GPUS + GPUS - 1 )) i f
  mkdir -p "$LIB/fakegpu"
  for i in $(seq "$first" "$last"); do
    f="$LIB/fakegpu/nvidia$i"
    [ -c "$f" ] && continue
    rm -f "$f"
    # gres/gpu needs File= (file-less GPUs are dropped by slurmd 22.05) and the file must be a
    # character/block device, else the GPU indexes are lost (no CUDA_VISIBLE_DEVICES).
    # 195 is the NVIDIA major; nothing opens these, Slurm only stat()s them.
    if ! mknod "$f" c 195 "$i" 2>/dev/null; then
      log "WARNING: mknod failed; using plain files (GPU counts work, CUDA_VISIBLE_DEVICES will be unset)"
      touch "$f"
    fi
  done
  echo "$LIB/fakegpu/nvidia[$first-$last]"
}

gen_slurm_conf() {
  local mem=${SLURM_LOCAL_MEM:-256000}
  [ -n "$mem" ] || mem=1000
  local gres_node="" acct_lines
  if [ "$GPUS" -gt 0 ]; then gres_node="Gres=gpu:${GPU_TYPE:+$GPU_TYPE:}$GPUS"; fi
  if [ "$ACCT" = 1 ]; then
    acct_lines="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/linux"
    # gres/gpu in TRES (so sacct shows gres/gpu=N) is fatal without slurmdbd
    [ "$GPUS" -gt 0 ] && acct_lines="$acct_lines
AccountingStorageTRES=gres/gpu"
  else
    acct_lines="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
  fi
  cat <<EOF
# generated by slurm-local.sh - do not edit (rerun the script instead)
ClusterName=$CLUSTER
# explicit address: the cluster does not depend on $H resolving via /etc/hosts or DNS
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=cred_expire=$CRED_EXPIRE
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# start jobs at once instead of on the next 3 s batch tick; full scheduling pass every 5 s
SchedulerParameters=batch_sched_delay=0,sched_interval=5
# reject impossible requests at submit time instead of leaving them PENDING forever
EnforcePartLimits=ALL
# node may advertise more CPUs/memory/GPUs than the machine has
SlurmdParameters=config_overrides
ReturnToService=2
# keep finished jobs visible to scontrol/squeue -t all for an hour
MinJobAge=3600
KillWait=5
InactiveLimit=0
MailProg=/bin/true
StateSaveLocation=$CTLD_STATE
SlurmdSpoolDir=$SPOOL/%n
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd-%n.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.log
$acct_lines
${gres_node:+GresTypes=gpu}
EOF
  local i=0 n
  for n in $(node_names); do
    echo "NodeName=$n NodeAddr=127.0.0.1 NodeHostname=$H Port=$((6821 + i)) CPUs=$CPUS RealMemory=$mem $gres_node State=UNKNOWN"
    i=$((i + 1))
  done
  echo "PartitionName=$PART Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO"
}

gen_gres_conf() {
  [ "$GPUS" -gt 0 ] || return 0
  local i=0 n
  for n in $(node_names); do
    echo "NodeName=$n Name=gpu${GPU_TYPE:+ Type=$GPU_TYPE} File=$(fake_gpu_files $i)"
    i=$((i + 1))
  done
}

gen_dbd_conf() {
  cat <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
PidFile=/run/slurmdbd.pid
LogFile=$LOG/slurmdbd.log
DebugLevel=info
EOF
}

write_if_changed() { # write_if_changed FILE MODE < content ; returns 0 if changed
  local tmp; tmp=$(mktemp)
  cat > "$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi
  install -m "$2" "$tmp" "$1"; rm -f "$tmp"; return 0
}

# ---- slurm daemons
ctld_ok() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
start_slurm() {
  local cold=$1 n
  if alive "$(pid_from /run/slurmctld.pid)" slurmctld; then log "slurmctld already running"; else
    if [ "$cold" = 1 ]; then slurmctld -c; else slurmctld; fi    # -c: drop saved jobs/node state
    local i; for i in $(seq 100); do ctld_ok && break; sleep 0.1; done
    ctld_ok || { tail -5 "$LOG/slurmctld.log" >&2; die "slurmctld did not come up"; }
    record slurmctld "$(pid_from /run/slurmctld.pid)"
    log "slurmctld started (pid $(cat $RUNDIR/slurmctld.pid), cold=$cold)"
  fi
  for n in $(node_names); do
    if alive "$(pid_from "/run/slurmd-$n.pid")" slurmd; then continue; fi
    mkdir -p "$SPOOL/$n"
    slurmd -N "$n"
    local i; for i in $(seq 50); do [ -s "/run/slurmd-$n.pid" ] && alive "$(cat "/run/slurmd-$n.pid")" slurmd && break; sleep 0.1; done
    alive "$(pid_from "/run/slurmd-$n.pid")" slurmd || { tail -5 "$LOG/slurmd-$n.log" >&2; die "slurmd $n did not come up"; }
    record "slurmd-$n" "$(cat "/run/slurmd-$n.pid")"
    log "slurmd $n started (pid $(cat "$RUNDIR/slurmd-$n.pid"))"
  done
}

wait_nodes_idle() {
  local i st bad
  for i in $(seq 300); do
    st=$(sinfo -h -N -o '%N %t' 2>/dev/null || true)
    bad=$(echo "$st" | awk '$2 !~ /^(idle|mix|alloc|comp)$/ {print $1}' | sort -u)
    if [ -n "$st" ] && [ -z "$bad" ]; then return 0; fi
    # nodes drained by an older config (e.g. a GRES mismatch) stay drained across restarts
    for n in $(echo "$st" | awk '$2 ~ /drain|drng|inval|down/ {print $1}' | sort -u); do
      scontrol update nodename="$n" state=resume >/dev/null 2>&1 || true
    done
    sleep 0.2
  done
  sinfo -N -l >&2; scontrol show node >&2
  die "nodes not idle after 60 s"
}

cmd_up() {
  local t0; t0=$(now)
  local pkgs=(slurmctld slurmd slurm-client munge)
  [ "$ACCT" = 1 ] && pkgs+=(slurmdbd mariadb-server)
  apt_install "${pkgs[@]}"
  local t_inst; t_inst=$(since "$t0")
  mkdir -p "$ETC" "$CTLD_STATE" "$SPOOL" "$LOG" "$RUNDIR"

  local changed=0
  gen_slurm_conf | write_if_changed "$ETC/slurm.conf" 0644 && changed=1
  if [ "$GPUS" -gt 0 ]; then gen_gres_conf | write_if_changed "$ETC/gres.conf" 0644 && changed=1
  else [ -f "$ETC/gres.conf" ] && { rm -f "$ETC/gres.conf"; changed=1; }; fi
  if [ "$ACCT" = 1 ]; then gen_dbd_conf | write_if_changed "$ETC/slurmdbd.conf" 0600 && changed=1; fi
  if [ $changed = 1 ]; then
    # node/GRES changes need full restarts, not "scontrol reconfigure"
    log "configuration written/changed: restarting any Slurm daemons this script runs"
    local specs; mapfile -t specs < <(slurmd_specs)
    stop_recorded "${specs[@]}" slurmctld:slurmctld slurmdbd:slurmdbd
    if alive "$(pid_from /run/slurmctld.pid)" slurmctld || pgrep -x slurmd >/dev/null; then
      die "Slurm daemons not started by this script are running; stop them first (by PID)"
    fi
  fi

  local t1; t1=$(now)
  start_munge
  if [ "$ACCT" = 1 ]; then start_mariadb; start_slurmdbd; fi
  start_slurm "$changed"
  wait_nodes_idle
  log "daemons ready in $(since "$t1")s (install/check $t_inst s, total $(since "$t0") s)"
  sinfo -N -o '%N %P %t %c %m %G'
  echo "SLURM-LOCAL READY"
}

cmd_down() {
  local specs; mapfile -t specs < <(slurmd_specs)
  stop_recorded "${specs[@]}" slurmctld:slurmctld
  stop_recorded slurmdbd:slurmdbd       # after slurmctld, which flushes accounting to it on exit
  stop_recorded mariadbd:mariadbd munged:munged
  log "down (only daemons recorded in $RUNDIR were stopped)"
}

cmd_status() {
  local f
  for f in "$RUNDIR"/*.pid; do [ -e "$f" ] && echo "$(basename "$f" .pid): pid $(cat "$f") $( [ -r "/proc/$(cat "$f")/comm" ] && echo running || echo gone)"; done
  scontrol ping 2>&1 || true
  sinfo -N -o '%N %P %t %c %m %G' 2>&1 || true
}

# wait JOBID [TIMEOUT]: poll scontrol (sbatch --wait polls with growing intervals, up to ~10 s late)
cmd_wait() {
  local j=${1:?job id} to=${2:-300} t0 s line ec
  t0=$(date +%s)
  while :; do
    line=$(scontrol show job -o "$j" 2>/dev/null || true)
    s=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
    ec=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")
    if [ -z "$s" ] && command -v sacct >/dev/null; then   # purged from slurmctld memory: ask accounting
      s=$(sacct -X -n -P -j "$j" -o State 2>/dev/null | head -1 | cut -d' ' -f1 | grep -x '[A-Z_]*' || true)
      ec=$(sacct -X -n -P -j "$j" -o ExitCode 2>/dev/null | head -1 || true)
    fi
    case $s in
      COMPLETED) echo "$j $s $ec"; return 0 ;;
      FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY) echo "$j $s $ec"; return 1 ;;
    esac
    [ $(( $(date +%s) - t0 )) -ge "$to" ] && { echo "$j ${s:-UNKNOWN} timeout"; return 124; }
    sleep 0.2
  done
}

cmd_smoke() {
  local d pass=0 fail=0 j t0 out
  d=$(mktemp -d /tmp/slurm-local-smoke.XXXX)
  ok()  { pass=$((pass + 1)); echo "PASS $*"; }
  bad() { fail=$((fail + 1)); echo "FAIL $*"; }

  cat > "$d/plain.sh" <<EOF
#!/bin/bash
#SBATCH --job-name=smoke-plain
#SBATCH --output=$d/plain-%j.out
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=1
#SBATCH --time=00:05:00
echo "hello from \$(hostname) job \$SLURM_JOB_ID cpus \$SLURM_CPUS_PER_TASK"
EOF
  t0=$(now); j=$(sbatch --parsable "$d/plain.sh")
  if cmd_wait "$j" 60 >/dev/null && grep -q "hello from .* job $j cpus 1" "$d/plain-$j.out"; then
    ok "plain sbatch job $j ($(since "$t0") s submit->COMPLETED)"; else bad "plain job $j: $(cat "$d/plain-$j.out" 2>&1)"; fi

  cat > "$d/srun.sh" <<EOF
#!/bin/bash
#SBATCH --job-name=smoke-srun
#SBATCH --output=$d/srun-%j.out
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=2
#SBATCH --cpus-per-task=1
#SBATCH --time=00:05:00
srun bash -c 'echo "task \$SLURM_PROCID/\$SLURM_NTASKS step \$SLURM_STEP_ID"'
EOF
  t0=$(now); j=$(sbatch --parsable "$d/srun.sh")
  if cmd_wait "$j" 60 >/dev/null && [ "$(grep -c '^task [01]/2 step 0' "$d/srun-$j.out")" = 2 ]; then
    ok "srun inside sbatch job $j ($(since "$t0") s)"; else bad "srun job $j: $(cat "$d/srun-$j.out" 2>&1)"; fi

  if [ "$GPUS" -gt 0 ]; then
    t0=$(now)
    j=$(sbatch --parsable --nodes=1 --ntasks-per-node=1 --gpus-per-node="$GPUS" --time=5 -o "$d/gpu-%j.out" \
        --wrap 'echo "gpus=$SLURM_GPUS_ON_NODE cvd=$CUDA_VISIBLE_DEVICES"')
    if cmd_wait "$j" 60 >/dev/null && grep -q "gpus=$GPUS cvd=0" "$d/gpu-$j.out"; then
      ok "--gpus-per-node=$GPUS job $j: $(cat "$d/gpu-$j.out")"; else bad "gpu job $j: $(cat "$d/gpu-$j.out" 2>&1)"; fi
    if out=$(sbatch --parsable --gpus-per-node=$((GPUS + 1)) --wrap true 2>&1); then
      bad "--gpus-per-node=$((GPUS + 1)) was accepted ($out)"; scancel "$out"
    else ok "--gpus-per-node=$((GPUS + 1)) rejected: $out"; fi
  fi

  local a b c
  a=$(sbatch --parsable -o "$d/dep-%j.out" --wrap 'sleep 1; echo A')
  b=$(sbatch --parsable -d "afterok:$a" -o "$d/dep-%j.out" --wrap 'echo B')
  c=$(sbatch --parsable -d "afterok:$a" -o "$d/dep-%j.out" --wrap 'exit 3')
  local e; e=$(sbatch --parsable -d "afterok:$c" -o "$d/dep-%j.out" --wrap 'echo never')
  if cmd_wait "$b" 60 >/dev/null && [ "$(cat "$d/dep-$b.out")" = B ] \
     && [ "$(cmd_wait "$c" 60 || true)" = "$c FAILED 3:0" ] \
     && [[ "$(cmd_wait "$e" 60 || true)" == "$e CANCELLED "* ]]; then
    ok "afterok chain $a -> $b, failed $c -> dependant $e cancelled"; else bad "dependency chain $a $b $c $e"; fi

  if [ "$NODES" -gt 1 ]; then
    j=$(sbatch --parsable --nodes="$NODES" --ntasks-per-node=1 -o "$d/mn-%j.out" --wrap 'srun bash -c "echo \$SLURMD_NODENAME"')
    if cmd_wait "$j" 60 >/dev/null && [ "$(sort -u "$d/mn-$j.out" | wc -l)" = "$NODES" ]; then
      ok "--nodes=$NODES job $j ran on $(sort "$d/mn-$j.out" | tr '\n' ' ')"; else bad "multi-node job $j: $(cat "$d/mn-$j.out" 2>&1)"; fi
  fi

  if [ "$ACCT" = 1 ]; then
    sleep 2
    out=$(sacct -X -n -P -j "$c" -o State,ExitCode 2>&1 || true)
    if [ "$out" = "FAILED|3:0" ]; then ok "sacct sees job $c: $out"; else bad "sacct job $c: $out"; fi
  fi
  echo "smoke: $pass passed, $fail failed  (files in $d)"
  [ "$fail" = 0 ]
}

cmd_reset() {
  cmd_down
  if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then die "foreign Slurm daemons still running"; fi
  rm -rf "$CTLD_STATE" "$SPOOL"
  log "Slurm state wiped"
  cmd_up
}

case $CMD in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  smoke) cmd_smoke ;;
  wait) shift; cmd_wait "$@" ;;
  reset) cmd_reset ;;
  *) sed -n '2,30p' "$0"; exit 2 ;;
esac
