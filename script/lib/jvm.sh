# Sourced by script/server and the benchmarks: the JVM options each Atoll service runs with.
#
# The control plane (platform-api, node-agent) runs on the C1 compiler alone. Its work comes in
# short bursts (a deploy, a reconcile pass) that a JVM with C2 spends compiling: in bench/deploy,
# C2's compiler threads took 80-120 ms of CPU per deploy, on the cores the Docker engine needed to
# start the container, and a deploy on a fresh platform-api came to 1.49x the floor of `docker
# run`; with C1 alone, 1.27x (warm: 1.22x -> 1.04x). C1's code is slower at peak, which these
# services never reach. The gateway and the registry move every byte of traffic and keep C2.
atoll_java_opts() { # module
  case $1 in
    platform-api | node-agent) echo "-Xmx384m -XX:TieredStopAtLevel=1" ;;
    *) echo "-Xmx384m" ;;
  esac
}
