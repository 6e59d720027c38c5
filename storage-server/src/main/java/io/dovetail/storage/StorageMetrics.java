package io.dovetail.storage;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.transport.TransportServer;
import io.dovetail.proto.DiskStatus;
import io.dovetail.storage.disk.DataDirs;
import io.dovetail.storage.memory.ChunkPool;
import io.dovetail.storage.memory.MemoryBudget;
import io.dovetail.storage.partition.PartitionFile;
import io.dovetail.storage.partition.PartitionStore;
import io.dovetail.storage.server.ServerContext;
import io.dovetail.storage.server.StorageStats;
import io.dovetail.storage.stream.StreamManager;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The storage server's metrics, read from its components at each scrape: what was pushed,
 * refused, flushed and served, the memory budget (and how much pushed data waits for it), the
 * partition files, the data directories and the connections. Names start with
 * {@code dovetail_storage_}.
 */
final class StorageMetrics {
  private StorageMetrics() {}

  static void register(PrometheusRegistry r, ServerContext context, PartitionStore store,
      MemoryBudget budget, ChunkPool chunkPool, DataDirs dirs, StreamManager streams,
      TransportServer transport) {
    StorageStats stats = context.stats();
    CounterWithCallback.builder().name("dovetail_storage_pushed_batches_total")
        .help("Batches taken into partition buffers, from pushers (role primary) or forwarded "
            + "by a primary (role replica).")
        .labelNames("role")
        .callback(cb -> {
          cb.call(stats.pushedBatches(), "primary");
          cb.call(stats.replicaBatches(), "replica");
        }).register(r);
    CounterWithCallback.builder().name("dovetail_storage_pushed_bytes_total")
        .help("Payload bytes taken into partition buffers, by role as for pushed batches.")
        .labelNames("role").unit(Unit.BYTES)
        .callback(cb -> {
          cb.call(stats.pushedBytes(), "primary");
          cb.call(stats.replicaBytes(), "replica");
        }).register(r);
    CounterWithCallback.builder().name("dovetail_storage_refused_batches_total")
        .help("Batches answered with an error, by code. DISK_FULL, STALE_INCARNATION and "
            + "REPLICATION_FAILED (a replica did not take the batch) move pushers to a new "
            + "location; a full memory budget refuses nothing, it stops reading instead.")
        .labelNames("code")
        .callback(cb -> {
          for (ErrorCode c : ErrorCode.values()) {
            long n = stats.refused(c);
            if (n > 0) {
              cb.call(n, c.name());
            }
          }
        }).register(r);
    counter(r, "dovetail_storage_flushes_total", "Partition buffer flushes written to files.",
        null, store::flushes);
    counter(r, "dovetail_storage_flushed_bytes_total",
        "Bytes written to partition files, batch headers included.", Unit.BYTES,
        store::flushedBytes);
    counter(r, "dovetail_storage_flush_errors_total",
        "Flushes whose write failed; each failed its partition.", null, store::flushErrors);
    counter(r, "dovetail_storage_streams_opened_total", "Read streams opened.", null,
        stats::streamsOpened);
    counter(r, "dovetail_storage_chunks_served_total", "Read chunks sent.", null,
        stats::chunksServed);
    counter(r, "dovetail_storage_served_bytes_total", "Bytes of read chunks sent.", Unit.BYTES,
        stats::bytesServed);

    gauge(r, "dovetail_storage_memory_used_bytes",
        "Off-heap bytes accounted to frames being received and partition buffers.",
        budget::used);
    gauge(r, "dovetail_storage_memory_limit_bytes", "dovetail.storage.memoryLimit.",
        budget::limit);
    gauge(r, "dovetail_storage_memory_peak_bytes",
        "The most bytes ever accounted at once since start; never above the limit.",
        budget::peak);
    gauge(r, "dovetail_storage_memory_waiting_bytes",
        "Bytes of frames waiting for memory: connections stopped reading (backpressure).",
        budget::waitingBytes);
    gauge(r, "dovetail_storage_memory_pooled_idle_bytes",
        "Partition-buffer memory kept for reuse, not accounted to any partition.",
        chunkPool::idleBytes);
    gauge(r, "dovetail_storage_flushing_bytes",
        "Bytes handed to the flushers and not written yet.", store::flushingBytes);
    gauge(r, "dovetail_storage_open_streams", "Read streams open.",
        () -> streams.openStreams());
    gauge(r, "dovetail_storage_connections", "Connections to the data port.",
        () -> transport.connectionCount());
    gauge(r, "dovetail_storage_incarnation",
        "The incarnation the metadata server gave this process; 0 standalone, -1 while not "
            + "registered.",
        () -> {
          long i = context.incarnation();
          return i == ServerContext.UNREGISTERED ? -1 : i;
        });
    GaugeWithCallback.builder().name("dovetail_storage_partition_files")
        .help("Partition files known, by state.").labelNames("state")
        .callback(cb -> {
          var files = store.census().files();
          for (PartitionFile.State s : PartitionFile.State.values()) {
            cb.call(files.getOrDefault(s, 0), s.name().toLowerCase(Locale.ROOT));
          }
        }).register(r);
    gauge(r, "dovetail_storage_shuffles", "Shuffles with partition files here.",
        () -> store.census().shuffles());
    dirGauge(r, dirs, "dovetail_storage_dir_capacity_bytes",
        "What each data directory may hold (dovetail.storage.dirCapacity, or its disk).",
        Unit.BYTES, DiskStatus::getCapacityBytes);
    dirGauge(r, dirs, "dovetail_storage_dir_used_bytes",
        "Bytes held or reserved in each data directory.", Unit.BYTES, DiskStatus::getUsedBytes);
    dirGauge(r, dirs, "dovetail_storage_dir_usable_bytes",
        "Bytes each data directory can still take (free space less the reserve).", Unit.BYTES,
        DiskStatus::getUsableBytes);
    dirGauge(r, dirs, "dovetail_storage_dir_healthy",
        "1 for a data directory in use, 0 for one failed and not written to.", null,
        d -> d.getHealthy() ? 1 : 0);
  }

  /** One gauge per data directory, labelled with its path. */
  private static void dirGauge(PrometheusRegistry r, DataDirs dirs, String name, String help,
      Unit unit, ToLongFunction<DiskStatus> value) {
    var b = GaugeWithCallback.builder().name(name).help(help).labelNames("dir")
        .callback(cb -> {
          for (DiskStatus d : dirs.status()) {
            cb.call(value.applyAsLong(d), d.getPath());
          }
        });
    if (unit != null) {
      b.unit(unit);
    }
    b.register(r);
  }

  private static void counter(PrometheusRegistry r, String name, String help, Unit unit,
      LongSupplier value) {
    var b = CounterWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.getAsLong()));
    if (unit != null) {
      b.unit(unit);
    }
    b.register(r);
  }

  private static void gauge(PrometheusRegistry r, String name, String help, LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.getAsLong())).register(r);
  }
}
