package io.dovetail.metadata.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.DovetailException;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.proto.UnregisterShuffleRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Many threads mix every mutating operation on shared shuffles (seeded). Afterwards the in-memory
 * bookkeeping must equal what a fresh recovery computes from the store, and nothing may have
 * failed with anything but the expected per-request errors.
 */
class ConcurrencyTest {
  private static final int THREADS = 4;
  private static final int OPS = 300;
  private static final int SHUFFLES = 6;

  @Test
  void mixedOperationsLeaveConsistentState() throws Exception {
    try (StateFixture f = new StateFixture()) {
      List<Long> servers = f.servers(4);
      f.app("app");
      for (int s = 0; s < SHUFFLES; s++) {
        f.shuffle("app", s, 8, 6, 2);
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = 1000 + t;
        futures.add(pool.submit(() -> {
          run(f, servers, new Random(seed));
          return null;
        }));
      }
      try {
        for (Future<?> fut : futures) {
          fut.get();
        }
      } finally {
        pool.shutdownNow();
      }

      Map<Long, Integer> copies = new HashMap<>();
      List<Object> views = new ArrayList<>();
      for (long inc : servers) {
        copies.put(inc, f.state.copiesOn(inc));
      }
      for (var sh : f.state.clusterStatus().getShufflesList()) {
        views.add(f.layout("app", sh.getShuffleId()));
        views.add(f.readPlan("app", sh.getShuffleId(), 0, 6, 0, 0));
      }
      views.add(f.state.clusterStatus().getShufflesList());
      f.reopen();
      for (long inc : servers) {
        assertThat(f.state.copiesOn(inc)).as("copies on %d", inc).isEqualTo(copies.get(inc));
      }
      List<Object> after = new ArrayList<>();
      for (var sh : f.state.clusterStatus().getShufflesList()) {
        after.add(f.layout("app", sh.getShuffleId()));
        after.add(f.readPlan("app", sh.getShuffleId(), 0, 6, 0, 0));
      }
      after.add(f.state.clusterStatus().getShufflesList());
      assertThat(after).isEqualTo(views);
    }
  }

  private static void run(StateFixture f, List<Long> servers, Random random) {
    for (int i = 0; i < OPS; i++) {
      int shuffle = random.nextInt(SHUFFLES);
      try {
        switch (random.nextInt(6)) {
          case 0, 1 -> {
            long[] bytes = new long[6];
            for (int p = 0; p < 6; p++) {
              bytes[p] = random.nextInt(100);
            }
            f.commit("app", shuffle, random.nextInt(8), random.nextInt(1000), random.nextInt(3),
                bytes);
          }
          case 2 -> {
            ShuffleLayout l = f.layout("app", shuffle);
            int p = random.nextInt(6);
            int epoch = l.getPartitions(p).getEpochs(l.getPartitions(p).getEpochsCount() - 1)
                .getEpoch();
            try {
              f.state.reportLocationFailure(ReportLocationFailureRequest.newBuilder()
                  .setAppId("app").setShuffleId(shuffle).addFailed(PartitionEpoch.newBuilder()
                      .setPartition(p).setEpoch(epoch)).build());
            } catch (DovetailException e) {
              // Another thread may have unregistered and re-registered the shuffle since the
              // layout was read; its epochs restart at 0, so the epoch read is now in its future.
              if (e.code() != io.dovetail.common.ErrorCode.INVALID_ARGUMENT) {
                throw e;
              }
              assertThat(e.getMessage()).contains("partition " + p);
            }
          }
          case 3 -> {
            int idx = random.nextInt(servers.size());
            f.state.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost("h" + (idx + 1))
                .setDataPort(7000).setIncarnation(servers.get(idx))
                .addLost(LostPartition.newBuilder().setAppId("app").setShuffleId(shuffle)
                    .setPartition(random.nextInt(6)).setEpoch(random.nextInt(3))).build());
          }
          case 4 -> f.readPlan("app", shuffle, 0, 6, random.nextInt(4), 4 + random.nextInt(4));
          default -> {
            if (random.nextInt(4) == 0) {
              f.state.unregisterShuffle(UnregisterShuffleRequest.newBuilder().setAppId("app")
                  .setShuffleId(shuffle).build());
            } else {
              f.shuffle("app", shuffle, 8, 6, 2);
            }
          }
        }
      } catch (DovetailException e) {
        // UNKNOWN_SHUFFLE after a concurrent unregister is the only expected refusal.
        assertThat(e.code()).isEqualTo(io.dovetail.common.ErrorCode.UNKNOWN_SHUFFLE);
      }
    }
  }
}
