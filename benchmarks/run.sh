#!/usr/bin/env bash
# Builds the project and writes benchmarks/REPORT.md: the JMH suite (ns/op, bytes/op) and the end-to-end load
# benchmark (OkHttp bare vs through the mesh, same run). Takes about 3 minutes on 2 cores.
# Usage: benchmarks/run.sh [seconds per load phase]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -DskipTests install
java -jar benchmarks/target/benchmarks.jar -h >/dev/null
java -cp benchmarks/target/benchmarks.jar io.mesh4j.benchmarks.BenchmarkReport benchmarks/REPORT.md "${1:-5}"
