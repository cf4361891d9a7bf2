package io.mesh4j.runtime.metrics;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.Propagation;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.propagation.TraceContext;
import brave.sampler.Sampler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Micrometer Tracing over Brave, wired as Spring Boot wires it, collecting finished spans. */
final class BraveTracing implements AutoCloseable {
  final List<MutableSpan> spans = new CopyOnWriteArrayList<>();
  final ObservationRegistry registry = ObservationRegistry.create();
  final Tracer tracer;
  private final Tracing tracing;

  BraveTracing(Propagation.Factory propagation) {
    ThreadLocalCurrentTraceContext context = ThreadLocalCurrentTraceContext.newBuilder().build();
    tracing = Tracing.newBuilder().currentTraceContext(context).propagationFactory(propagation)
        .traceId128Bit(true).supportsJoin(false).sampler(Sampler.ALWAYS_SAMPLE)
        .addSpanHandler(new SpanHandler() {
          @Override
          public boolean end(TraceContext traceContext, MutableSpan span, Cause cause) {
            spans.add(span);
            return true;
          }
        }).build();
    tracer = new BraveTracer(tracing.tracer(), new BraveCurrentTraceContext(context), new BraveBaggageManager());
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, new BravePropagator(tracing)),
        new DefaultTracingObservationHandler(tracer)));
  }

  /** The mesh's request spans. */
  List<MutableSpan> requests() {
    return spans.stream().filter(s -> s.tag("mesh4j.protocol") != null).toList();
  }

  /** The mesh's attempt spans, in the order they ended. */
  List<MutableSpan> attempts() {
    return spans.stream().filter(s -> s.tag("mesh4j.attempt") != null).toList();
  }

  @Override
  public void close() {
    tracing.close();
  }
}
