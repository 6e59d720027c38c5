package io.dovetail.metadata;

import io.dovetail.metadata.state.MetadataState;
import io.dovetail.proto.ServerState;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;

/** The metadata server's own gauges, read from its state at each scrape. */
final class MetadataMetrics {
  private MetadataMetrics() {}

  static void register(PrometheusRegistry registry, MetadataState state) {
    GaugeWithCallback.builder().name("dovetail_metadata_storage_servers")
        .help("Storage-server incarnations the metadata server knows, by state (dead ones are "
            + "forgotten after dovetail.metadata.server.retention).")
        .labelNames("state")
        .callback(cb -> {
          var servers = state.summary().servers();
          for (ServerState s : ServerState.values()) {
            if (s != ServerState.SERVER_STATE_UNSPECIFIED && s != ServerState.UNRECOGNIZED) {
              cb.call(servers.getOrDefault(s, 0), s.name().toLowerCase(Locale.ROOT));
            }
          }
        })
        .register(registry);
    GaugeWithCallback.builder().name("dovetail_metadata_applications")
        .help("Registered applications.")
        .callback(cb -> cb.call(state.summary().applications()))
        .register(registry);
    GaugeWithCallback.builder().name("dovetail_metadata_shuffles")
        .help("Registered shuffles of all applications.")
        .callback(cb -> cb.call(state.summary().shuffles()))
        .register(registry);
    GaugeWithCallback.builder().name("dovetail_metadata_shuffle_index_bytes")
        .help("Estimated heap of the in-memory indexes of all registered shuffles; new shuffles "
            + "are refused (RESOURCE_EXHAUSTED) beyond dovetail.metadata.shuffle.indexMemoryLimit.")
        .callback(cb -> cb.call(state.shuffleIndexBytes()))
        .register(registry);
    GaugeWithCallback.builder().name("dovetail_metadata_shuffle_index_limit_bytes")
        .help("dovetail.metadata.shuffle.indexMemoryLimit.")
        .callback(cb -> cb.call(state.settings().indexMemoryLimitBytes()))
        .register(registry);
  }
}
