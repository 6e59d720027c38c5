package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.GetShuffleLayoutResponse;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ShuffleLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Shuffle registration, placement through the registry, and epochs after location failures. */
class ShuffleLayoutTest {
  private final StateFixture f = new StateFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private ShuffleLayout report(String app, int shuffle, ServerInfo failed, int... partitionEpochs) {
    return report(ErrorCode.CONNECTION_FAILED, app, shuffle, failed, partitionEpochs);
  }

  private ShuffleLayout report(ErrorCode code, String app, int shuffle, ServerInfo failed,
      int... partitionEpochs) {
    ReportLocationFailureRequest.Builder b = ReportLocationFailureRequest.newBuilder()
        .setAppId(app).setShuffleId(shuffle).setErrorCode(code.code());
    for (int i = 0; i < partitionEpochs.length; i += 2) {
      b.addFailed(PartitionEpoch.newBuilder().setPartition(partitionEpochs[i])
          .setEpoch(partitionEpochs[i + 1]));
    }
    if (failed != null) {
      b.setFailedServer(failed);
    }
    return f.state.reportLocationFailure(b.build()).getLayout();
  }

  @Test
  void registrationIsIdempotentForTheSameShapeOnly() {
    f.servers(3);
    f.app("app");
    ShuffleLayout first = f.shuffle("app", 4, 10, 20, 2);
    assertThat(first.getNumMaps()).isEqualTo(10);
    assertThat(first.getNumPartitions()).isEqualTo(20);
    assertThat(first.getPartitionsCount()).isEqualTo(20);
    assertThat(first.getLayoutVersion()).isPositive();
    for (int p = 0; p < 20; p++) {
      assertThat(first.getPartitions(p).getPartition()).isEqualTo(p);
      assertThat(first.getPartitions(p).getEpochsList()).hasSize(1);
      assertThat(first.getPartitions(p).getEpochs(0).getWritable()).isTrue();
      assertThat(StateFixture.servers(first, p, 0)).hasSize(2).doesNotHaveDuplicates();
    }
    assertThat(f.shuffle("app", 4, 10, 20, 2)).isEqualTo(first);
    assertCode(ErrorCode.SHUFFLE_CONFLICT, () -> f.shuffle("app", 4, 11, 20, 2));
    assertCode(ErrorCode.SHUFFLE_CONFLICT, () -> f.shuffle("app", 4, 10, 21, 2));
    assertCode(ErrorCode.SHUFFLE_CONFLICT, () -> f.shuffle("app", 4, 10, 20, 1));
  }

  @Test
  void badShapesAndUnknownIdsAreRejected() {
    f.servers(3);
    f.app("app");
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("app", 0, -1, 2, 1));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("app", 0, 1, -1, 1));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("app", 0, 1, 2, 0));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("app", 0, 1, 2, 4));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("app", -3, 1, 2, 1));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("app", 0, 1, 2_000_000, 1));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> f.shuffle("", 0, 1, 2, 1));
    assertCode(ErrorCode.UNKNOWN_APPLICATION, () -> f.shuffle("nobody", 0, 1, 2, 1));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.layout("app", 0));
    assertThat(f.shuffle("app", 0, 0, 1, 1).getNumMaps()).isZero();
    // Spark's default partitioner over inputs with no partitions: 0 partitions, no locations.
    assertThat(f.shuffle("app", 1, 0, 0, 1).getNumPartitions()).isZero();
    assertThat(f.layout("app", 1).getPartitionsCount()).isZero();
  }

  /** A shuffle with no partitions has no files to place: it needs no storage server. */
  @Test
  void aShuffleWithoutPartitionsNeedsNoServers() {
    f.app("app");
    ShuffleLayout empty = f.shuffle("app", 0, 5, 0, 3);
    assertThat(empty.getNumPartitions()).isZero();
    assertThat(empty.getPartitionsCount()).isZero();
    assertThat(empty.getServersCount()).isZero();
    assertThat(f.shuffle("app", 0, 5, 0, 3)).isEqualTo(empty);
    f.reopen();
    assertThat(f.layout("app", 0)).isEqualTo(empty);
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> f.shuffle("app", 1, 5, 1, 1));
  }

  @Test
  void notEnoughActiveServersIsRetriableAndLeavesNothingBehind() {
    List<Long> ids = f.servers(2);
    f.app("app");
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> f.shuffle("app", 0, 1, 4, 3));
    assertThat(ErrorCode.NOT_ENOUGH_SERVERS.isRetriable()).isTrue();
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.layout("app", 0));
    // Dead servers are no candidates, even before the maintenance pass marks them.
    f.clock.advance(StateFixture.TIMEOUT.plusSeconds(1));
    f.heartbeat("h1", 7000, ids.get(0));
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> f.shuffle("app", 0, 1, 4, 2));
    ShuffleLayout layout = f.shuffle("app", 0, 1, 4, 1);
    for (int p = 0; p < 4; p++) {
      assertThat(StateFixture.servers(layout, p, 0)).containsExactly(ids.get(0));
    }
  }

  /** h1 reports every data directory unhealthy: it can hold no new file, so it gets none. */
  @Test
  void aServerWithNoHealthyDirectoryGetsNoNewPartitions() {
    List<Long> ids = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      ids.add(f.register(RegisterServerRequest.newBuilder().setHost("h" + i).setDataPort(7000)
          .addDisks(StateFixture.disk(100L << 30)).addDisks(StateFixture.disk(100L << 30))
          .build()));
    }
    DiskStatus broken = StateFixture.disk(100L << 30).toBuilder().setHealthy(false).build();
    f.state.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost("h1").setDataPort(7000)
        .setIncarnation(ids.get(0)).addDisks(broken).addDisks(broken).build());
    f.app("app");
    ShuffleLayout layout = f.shuffle("app", 0, 1, 1000, 2);
    Map<Long, Integer> copies = new HashMap<>();
    for (int p = 0; p < 1000; p++) {
      StateFixture.servers(layout, p, 0).forEach(id -> copies.merge(id, 1, Integer::sum));
    }
    assertThat(copies).doesNotContainKey(ids.get(0)).containsKeys(ids.get(1), ids.get(2),
        ids.get(3));
    assertThat(f.state.copiesOn(ids.get(0))).isZero();

    // With h3 and h4 drained, h2 is the only server that can take a file: replication 2 fails.
    for (String host : new String[] {"h3", "h4"}) {
      f.state.drainServer(DrainServerRequest.newBuilder().setHost(host).setDataPort(7000)
          .build());
    }
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> f.shuffle("app", 1, 1, 10, 2));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.layout("app", 1));
    // A directory healthy again makes h1 a candidate again.
    f.state.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost("h1").setDataPort(7000)
        .setIncarnation(ids.get(0)).addDisks(broken).addDisks(StateFixture.disk(1L << 30))
        .build());
    ShuffleLayout healed = f.shuffle("app", 1, 1, 10, 2);
    for (int p = 0; p < 10; p++) {
      assertThat(StateFixture.servers(healed, p, 0))
          .containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    }
  }

  @Test
  void partitionsFollowFreeCapacity() {
    long big = f.register(RegisterServerRequest.newBuilder().setHost("big").setDataPort(1)
        .addDisks(StateFixture.disk(300L << 30)).build());
    long small = f.register(RegisterServerRequest.newBuilder().setHost("small").setDataPort(1)
        .addDisks(StateFixture.disk(100L << 30)).build());
    f.app("app");
    ShuffleLayout layout = f.shuffle("app", 0, 1, 400, 1);
    Map<Long, Integer> count = new HashMap<>();
    for (int p = 0; p < 400; p++) {
      count.merge(StateFixture.servers(layout, p, 0).get(0), 1, Integer::sum);
    }
    assertThat(count.get(big)).isBetween(297, 303);
    assertThat(count.get(small)).isBetween(97, 103);
  }

  @Test
  void knownLayoutVersionAnswersUnchanged() {
    f.servers(2);
    f.app("app");
    ShuffleLayout layout = f.shuffle("app", 0, 1, 2, 1);
    GetShuffleLayoutResponse same = f.state.getShuffleLayout(GetShuffleLayoutRequest.newBuilder()
        .setAppId("app").setShuffleId(0).setKnownLayoutVersion(layout.getLayoutVersion()).build());
    assertThat(same.getUnchanged()).isTrue();
    assertThat(same.hasLayout()).isFalse();
    GetShuffleLayoutResponse older = f.state.getShuffleLayout(GetShuffleLayoutRequest
        .newBuilder().setAppId("app").setShuffleId(0)
        .setKnownLayoutVersion(layout.getLayoutVersion() - 1).build());
    assertThat(older.getUnchanged()).isFalse();
    assertThat(older.getLayout()).isEqualTo(layout);
  }

  @Test
  void failureOnTheWritableEpochAllocatesOnceAndAvoidsTheFailedServer() {
    List<Long> ids = f.servers(3);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 3, 1);
    long failed = StateFixture.servers(before, 1, 0).get(0);
    ServerInfo failedInfo = StateFixture.serverOf(before.getServersList(), failed);

    ShuffleLayout after = report("app", 0, failedInfo, 1, 0);
    assertThat(after.getLayoutVersion()).isGreaterThan(before.getLayoutVersion());
    assertThat(after.getPartitions(1).getEpochsList()).hasSize(2);
    assertThat(after.getPartitions(1).getEpochs(0).getWritable()).isFalse();
    assertThat(after.getPartitions(1).getEpochs(1).getEpoch()).isEqualTo(1);
    assertThat(after.getPartitions(1).getEpochs(1).getWritable()).isTrue();
    assertThat(StateFixture.servers(after, 1, 1)).doesNotContain(failed);
    assertThat(after.getPartitions(0).getEpochsList()).hasSize(1);
    // The failed server is not declared dead by a client report.
    assertThat(StateFixture.serverOf(after.getServersList(), failed).getState())
        .isEqualTo(io.dovetail.proto.ServerState.ACTIVE);

    // Many writers report the same failure: nothing more happens.
    for (int i = 0; i < 5; i++) {
      assertThat(report("app", 0, failedInfo, 1, 0)).isEqualTo(after);
    }
    assertThat(f.layout("app", 0)).isEqualTo(after);
    assertThat(ids).contains(failed);
  }

  @Test
  void withoutANamedServerTheWholeFailedEpochIsAvoidedWhenPossible() {
    f.servers(4);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 1, 2);
    List<Long> old = StateFixture.servers(before, 0, 0);
    ShuffleLayout after = report("app", 0, null, 0, 0);
    assertThat(StateFixture.servers(after, 0, 1)).doesNotContainAnyElementsOf(old);
  }

  @Test
  void aFailedReplicationKeepsTheLivePrimaryAndDropsTheReplicas() {
    f.servers(3);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 1, 2);
    List<Long> old = StateFixture.servers(before, 0, 0);
    // Only one server is left outside the old epoch, so the whole epoch cannot be avoided; the
    // primary said its replica failed, so the replica is the one that must not come back.
    ShuffleLayout after = report(ErrorCode.REPLICATION_FAILED, "app", 0, null, 0, 0);
    List<Long> now = StateFixture.servers(after, 0, 1);
    assertThat(now).hasSize(2).doesNotContain(old.get(1)).contains(old.get(0));
  }

  @Test
  void failedServerIsReusedOnlyWhenNothingElseCanTakeTheEpoch() {
    List<Long> ids = f.servers(2);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 1, 2);
    ServerInfo failed = StateFixture.serverOf(before.getServersList(), ids.get(0));
    ShuffleLayout after = report("app", 0, failed, 0, 0);
    assertThat(StateFixture.servers(after, 0, 1)).containsExactlyInAnyOrderElementsOf(ids);

    f.state.drainServer(io.dovetail.proto.DrainServerRequest.newBuilder().setHost("h2")
        .setDataPort(7000).build());
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> report("app", 0, failed, 0, 1));
    ShuffleLayout unchanged = f.layout("app", 0);
    assertThat(unchanged.getLayoutVersion()).isEqualTo(after.getLayoutVersion());
    assertThat(unchanged.getPartitionsList()).isEqualTo(after.getPartitionsList());
  }

  @Test
  void reportsOfOldOrImpossibleEpochs() {
    f.servers(3);
    f.app("app");
    f.shuffle("app", 0, 1, 2, 1);
    ShuffleLayout one = report("app", 0, null, 0, 0);
    assertThat(report("app", 0, null, 0, 0)).isEqualTo(one);
    ShuffleLayout two = report("app", 0, null, 0, 1, 1, 0);
    assertThat(two.getPartitions(0).getEpochsList()).hasSize(3);
    assertThat(two.getPartitions(1).getEpochsList()).hasSize(2);
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> report("app", 0, null, 0, 7));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> report("app", 0, null, 2, 0));
    assertCode(ErrorCode.INVALID_ARGUMENT, () -> report("app", 0, null, 0, -1));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> report("app", 1, null, 0, 0));
    assertThat(f.layout("app", 0)).isEqualTo(two);
  }

  @Test
  void epochsSurviveARestart() {
    f.servers(3);
    f.app("app");
    f.shuffle("app", 0, 1, 5, 2);
    report("app", 0, null, 0, 0, 3, 0);
    ShuffleLayout before = report("app", 0, null, 0, 1);
    f.reopen();
    f.clock.advance(Duration.ofSeconds(1));
    assertThat(f.layout("app", 0)).isEqualTo(before);
  }
}
