#!/usr/bin/env bash
# Builds the project and writes benchmarks/REPORT.md: the JMH suite (ns/op, bytes/op), the end-to-end load
# benchmarks (OkHttp bare vs through the mesh at 4 and 8 client threads; gRPC plain vs grpc-java xDS vs MeshGrpc)
# the mTLS benchmarks (client and server side) and the scale benchmark (10,000 clusters pushed at once, then 100,000
# endpoint churn cycles), each in one run. Takes about 9 minutes on 2 cores, plus 20 to 40 for the churn cycles.
# Usage: benchmarks/run.sh [seconds per load phase] [scale churn cycles, default 100000: 20-40 minutes of the run]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -DskipTests install
java -jar benchmarks/target/benchmarks.jar -h >/dev/null
java -cp benchmarks/target/benchmarks.jar io.mesh4j.benchmarks.BenchmarkReport benchmarks/REPORT.md "${1:-5}" "${2:-100000}"
