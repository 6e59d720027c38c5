package io.dovetail.common.metrics;

import io.dovetail.common.util.Threads;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's Prometheus endpoint: {@code GET /metrics} on its own port, in the text or protobuf
 * exposition format the scraper asks for. The registry starts with the JVM's metrics (memory, GC,
 * threads, buffer pools) and {@code dovetail_build_info}; the server registers its own before or
 * after {@link #start}. Scrapes are served by one thread, so a scraper cannot take CPU from the
 * data path. Thread-safe.
 *
 * <pre>
 *   MetricsEndpoint m = new MetricsEndpoint("storage");
 *   Gauge.builder()...register(m.registry());
 *   m.start("0.0.0.0", 9401);   // port 0 picks a free port: m.port()
 *   m.close();
 * </pre>
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final String component;
  private HTTPServer http;
  private ExecutorService executor;

  /** A registry holding the JVM's metrics and the build info of {@code component}. */
  public MetricsEndpoint(String component) {
    this.component = component;
    JvmMetrics.builder().register(registry);
    Info info = Info.builder().name("dovetail_build_info")
        .help("The Dovetail version and the component this process runs.")
        .labelNames("version", "component").register(registry);
    String version = MetricsEndpoint.class.getPackage().getImplementationVersion();
    info.setLabelValues(version == null ? "dev" : version, component);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Serves the registry on {@code host:port}.
   *
   * @throws UncheckedIOException if the port cannot be bound
   * @throws IllegalStateException if already started
   */
  public synchronized MetricsEndpoint start(String host, int port) {
    if (http != null) {
      throw new IllegalStateException("metrics endpoint already started");
    }
    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        Threads.named("dovetail-" + component + "-metrics"));
    try {
      http = HTTPServer.builder().hostname(host).port(port).registry(registry)
          .executorService(executor).buildAndStart();
    } catch (IOException e) {
      executor.shutdownNow();
      executor = null;
      throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
    LOG.info("Metrics of the {} served at http://{}:{}/metrics", component, host, http.getPort());
    return this;
  }

  /** The bound port; -1 when not serving. */
  public synchronized int port() {
    return http == null ? -1 : http.getPort();
  }

  /** Stops serving. Idempotent. */
  @Override
  public synchronized void close() {
    if (http != null) {
      http.close(); // stops the HTTP server and shuts its executor down
      http = null;
    }
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }
}
