/**
 * Resilience, once for every transport: route timeouts, retries, circuit breakers and outlier detection, with
 * Envoy v3's semantics and defaults. One attempt sequence, {@link io.mesh4j.runtime.policy.AttemptSequencer}
 * (its decisions in {@link io.mesh4j.runtime.policy.RetryState}), serves both transports: OkHttp drives it blocking
 * through {@link io.mesh4j.runtime.policy.AttemptLoop} (implementing its
 * {@link io.mesh4j.runtime.policy.AttemptLoop.Transport}), sleeping the back-off; gRPC drives it from its call
 * callbacks ({@code runtime.grpc.RoutedCall}), scheduling the back-off on the environment's scheduler. Both take
 * the call's deadline from {@link io.mesh4j.runtime.policy.CallDeadline}; gRPC keeps the messages a retry replays
 * in a {@link io.mesh4j.runtime.policy.ReplayBuffer}. Transports only translate.
 *
 * <h2>How a routed request runs</h2>
 *
 * The engine routes it ({@code MeshEngine.route}), then the transport sends attempts as
 * {@link io.mesh4j.runtime.policy.AttemptSequencer} directs: each takes a circuit-breaker slot of the cluster, reports its outcome to the cluster
 * ({@code ClusterRuntime.attemptFinished}, feeding outlier detection), and a retriable outcome is retried after a
 * jittered back-off on an endpoint picked again with {@code ClusterRuntime.pick()} (which skips ejected endpoints).
 *
 * <h2>Decisions, where Envoy leaves room or an in-process client differs</h2>
 *
 * <ul>
 *   <li><b>Timeouts.</b> The route timeout and the max stream duration (the route's, else the listener's) make one
 *       deadline from the start of the call to the end of the response body, retries and back-off included.
 *       {@code per_try_timeout} bounds an attempt until its response headers (Envoy also ignores it once the
 *       response has started). A back-off the deadline would cut short fails the call at once with
 *       UPSTREAM_TIMEOUT. For gRPC, {@code grpc_timeout_header_max} / {@code grpc_timeout_header_offset} make the
 *       call's own timeout the stream duration, and the call's own deadline also bounds it; the earliest wins.
 *   <li><b>gRPC retries.</b> Only while nothing of the response reached the application (a trailers-only response
 *       or a transport failure) and every request message is still buffered (1 MiB, gRPC's retry buffer); a
 *       server status counts as {@code :status 200} with {@code grpc-status} for {@code retry_on}, and as the HTTP
 *       status Envoy maps it to for outlier detection.
 *   <li><b>Circuit breakers.</b> Only DEFAULT-priority thresholds apply (no route is HIGH priority here). With
 *       HTTP/1.1 every attempt in flight holds a connection, so attempts beyond {@code max_connections} count as
 *       pending, and beyond {@code max_connections + max_pending_requests} (or {@code max_requests}) the call fails
 *       at once with OVERFLOW (503 UO). A response's slot is held until its body is closed. {@code max_retries}
 *       bounds retries in progress; when exhausted, the retriable outcome is returned as is (Envoy's retry
 *       overflow: no header marks the response) and counted in {@code CircuitBreaker.retryOverflows()} (Envoy's
 *       {@code upstream_rq_retry_overflow}); a retriable failure also carries a suppressed "not retried" note.
 *   <li><b>Outlier detection.</b> Locally originated failures count as 503 (504 for timeouts), as Envoy does without
 *       {@code split_external_local_origin_errors}. Ejected endpoints count as unhealthy in the cluster's load plan
 *       (replanned on each ejection and return): traffic fails over to lower priorities, and the panic threshold
 *       puts them back in use when too few are left, as in Envoy.
 *       State lives in {@link io.mesh4j.runtime.policy.ClusterPolicyState}, carried from one cluster runtime to the
 *       next so counters and ejections survive config updates.
 *   <li><b>Never replayed.</b> A request whose body is one-shot is not retried; its failure says so.
 * </ul>
 */
package io.mesh4j.runtime.policy;
