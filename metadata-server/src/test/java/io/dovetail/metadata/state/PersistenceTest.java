package io.dovetail.metadata.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.proto.ApplicationStatus;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetPartitionSizesResponse;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerStatus;
import io.dovetail.proto.ShuffleLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Closing and reopening the store reproduces the same state. */
class PersistenceTest {
  private final StateFixture f = new StateFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Everything observable that is not soft state (heartbeat times, load). */
  private List<Object> snapshot() {
    List<Object> out = new ArrayList<>();
    GetClusterStatusResponse status = f.state.clusterStatus();
    for (ServerStatus s : status.getServersList()) {
      out.add(List.of(s.getServer(), s.getDisksList(), s.getPartitions(),
          s.getMemoryLimitBytes()));
    }
    for (ApplicationStatus a : status.getApplicationsList()) {
      out.add(List.of(a.getAppId(), a.getShuffles()));
    }
    out.add(status.getShufflesList());
    for (var sh : status.getShufflesList()) {
      ShuffleLayout layout = f.layout(sh.getAppId(), sh.getShuffleId());
      out.add(layout);
      out.add(f.readPlan(sh.getAppId(), sh.getShuffleId(), 0, sh.getNumPartitions(), 0, 0));
      if (sh.getNumMaps() > 1) {
        out.add(f.readPlan(sh.getAppId(), sh.getShuffleId(), 0, sh.getNumPartitions(), 1, 2));
      }
      out.add(sizes(sh.getAppId(), sh.getShuffleId()));
    }
    return out;
  }

  private GetPartitionSizesResponse sizes(String app, int shuffle) {
    return f.state.getPartitionSizes(GetPartitionSizesRequest.newBuilder().setAppId(app)
        .setShuffleId(shuffle).build());
  }

  @Test
  void reopenReproducesServersShufflesEpochsAndCommits() {
    List<Long> ids = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      ids.add(f.register(RegisterServerRequest.newBuilder().setHost("h" + i).setDataPort(7000)
          .setMemoryLimitBytes(1L << 30).setVersion("1.0")
          .addDisks(StateFixture.disk((long) i << 30)).build()));
    }
    f.app("app-a");
    f.app("app-b");
    f.shuffle("app-a", 0, 3, 5, 2);
    ShuffleLayout b = f.shuffle("app-b", 7, 2, 4, 1);
    f.commit("app-a", 0, 0, 1, 0, new long[] {1, 2, 3, 4, 5});
    f.commit("app-a", 0, 1, 2, 0, new long[0]);
    f.commit("app-a", 0, 1, 3, 1, new long[] {9, 9, 9, 9, 9});
    f.commit("app-b", 7, 1, 4, 0, new long[] {5, 6, 7, 8});
    f.state.reportLocationFailure(ReportLocationFailureRequest.newBuilder().setAppId("app-a")
        .setShuffleId(0).addFailed(PartitionEpoch.newBuilder().setPartition(2).setEpoch(0))
        .build());
    long owner = StateFixture.servers(b, 3, 0).get(0);
    f.state.serverHeartbeat(ServerHeartbeatRequest.newBuilder()
        .setHost(StateFixture.serverOf(b.getServersList(), owner).getHost()).setDataPort(7000)
        .setIncarnation(owner).addLost(LostPartition.newBuilder().setAppId("app-b")
            .setShuffleId(7).setPartition(3).setEpoch(0)).build());
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h4").setDataPort(7000).build());
    f.register("h3", 7000); // h3's first incarnation is now DEAD

    long nextBefore = f.register("probe", 1);
    List<Object> before = snapshot();
    f.reopen();
    assertThat(snapshot()).isEqualTo(before);
    assertThat(f.register("probe2", 1)).isGreaterThan(nextBefore);
    assertThat(sizes("app-a", 0).getPartitionBytesList()).containsExactly(10L, 11L, 12L, 13L,
        14L);
    assertThat(sizes("app-a", 0).getCommittedMaps()).isEqualTo(2);
  }

  @Test
  void largeShuffleCommitsAndRangePlansSurviveARestart() {
    int maps = 400;
    int partitions = 10_000;
    f.servers(3);
    f.app("big");
    f.shuffle("big", 0, maps, partitions, 1);
    Random random = new Random(99);
    long[] totals = new long[partitions];
    long[] rangeTotals = new long[10];
    for (int m = 0; m < maps; m++) {
      long[] bytes = new long[partitions];
      for (int p = 0; p < partitions; p++) {
        bytes[p] = random.nextInt(50_000);
        totals[p] += bytes[p];
        if (m >= 100 && m < 150 && p >= 5000 && p < 5010) {
          rangeTotals[p - 5000] += bytes[p];
        }
      }
      f.commit("big", 0, m, m, 0, bytes);
    }
    for (int round = 0; round < 2; round++) {
      GetPartitionSizesResponse sizes = sizes("big", 0);
      assertThat(sizes.getCommittedMaps()).isEqualTo(maps);
      assertThat(sizes.getPartitionBytesList().stream().mapToLong(Long::longValue).toArray())
          .containsExactly(totals);
      var plan = f.readPlan("big", 0, 5000, 5010, 100, 150);
      assertThat(plan.getPartitionsList().stream().mapToLong(p -> p.getExpectedBytes())
          .toArray()).containsExactly(rangeTotals);
      assertThat(plan.getCommittedCount()).isEqualTo(50);
      f.reopen();
    }
  }
}
