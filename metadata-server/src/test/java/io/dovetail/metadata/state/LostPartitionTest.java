package io.dovetail.metadata.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.ErrorCode;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.PartitionEpoch;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ShuffleLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Copies a storage server reports lost are never offered to readers again. */
class LostPartitionTest {
  private final StateFixture f = new StateFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void reportLost(long incarnation, String host, int partition, int epoch) {
    f.state.serverHeartbeat(ServerHeartbeatRequest.newBuilder().setHost(host).setDataPort(7000)
        .setIncarnation(incarnation).addLost(LostPartition.newBuilder().setAppId("app")
            .setShuffleId(0).setPartition(partition).setEpoch(epoch)).build());
  }

  private static String hostOf(ShuffleLayout layout, long incarnation) {
    return StateFixture.serverOf(layout.getServersList(), incarnation).getHost();
  }

  @Test
  void lostCopyOnTheWritableEpochIsHiddenAndWritersMoveToANewEpoch() {
    f.servers(3);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 2, 2);
    List<Long> epoch0 = StateFixture.servers(before, 0, 0);
    long primary = epoch0.get(0);
    long replica = epoch0.get(1);
    int copiesBefore = f.state.copiesOn(primary);

    reportLost(primary, hostOf(before, primary), 0, 0);
    ShuffleLayout after = f.layout("app", 0);
    assertThat(after.getLayoutVersion()).isGreaterThan(before.getLayoutVersion());
    assertThat(StateFixture.servers(after, 0, 0)).containsExactly(replica);
    assertThat(after.getPartitions(0).getEpochs(0).getWritable()).isFalse();
    assertThat(after.getPartitions(0).getEpochs(1).getWritable()).isTrue();
    assertThat(StateFixture.servers(after, 0, 1)).hasSize(2).doesNotContain(primary);
    assertThat(after.getPartitions(1).getEpochsCount()).isEqualTo(1);
    assertThat(StateFixture.servers(after, 1, 0)).isEqualTo(StateFixture.servers(before, 1, 0));
    assertThat(f.state.copiesOn(primary)).isEqualTo(copiesBefore - 1);

    GetReadPlanResponse plan = f.readPlan("app", 0, 0, 1, 0, 0);
    assertThat(plan.getPartitions(0).getEpochs(0).getServersList())
        .extracting(i -> plan.getServers(i).getIncarnation()).containsExactly(replica);

    // Reported again (every heartbeat until the server forgets it): nothing changes.
    reportLost(primary, hostOf(before, primary), 0, 0);
    assertThat(f.layout("app", 0)).isEqualTo(after);
    f.reopen();
    assertThat(f.layout("app", 0)).isEqualTo(after);
  }

  /**
   * A loss on the writable epoch when no server can take a new one (here the only server is
   * draining): writers still see the writable epoch's servers (they saw none and failed with an
   * index error before pushing, so nothing ever asked for a new epoch), readers do not; once a
   * server can take it, the writers' failure report moves the partition.
   */
  @Test
  void aLostWritableCopyWithNoServerForANewEpochStaysListedForWritersUntilOneCan() {
    long h1 = f.register("h1", 7000);
    f.app("app");
    f.shuffle("app", 0, 1, 1, 1);
    f.state.drainServer(DrainServerRequest.newBuilder().setHost("h1").setDataPort(7000).build());
    reportLost(h1, "h1", 0, 0);

    ShuffleLayout layout = f.layout("app", 0);
    assertThat(layout.getPartitions(0).getEpochsCount()).as("no new epoch").isEqualTo(1);
    assertThat(StateFixture.servers(layout, 0, 0)).containsExactly(h1);
    GetReadPlanResponse plan = f.readPlan("app", 0, 0, 1, 0, 0);
    assertThat(plan.getPartitions(0).getEpochs(0).getServersList()).as("readers").isEmpty();

    long h2 = f.register("h2", 7000);
    ShuffleLayout moved = f.state.reportLocationFailure(ReportLocationFailureRequest.newBuilder()
        .setAppId("app").setShuffleId(0).addFailed(PartitionEpoch.newBuilder().setPartition(0)
            .setEpoch(0)).setErrorCode(ErrorCode.STORAGE_IO_ERROR.code()).build()).getLayout();
    assertThat(moved.getPartitions(0).getEpochsCount()).isEqualTo(2);
    assertThat(StateFixture.servers(moved, 0, 1)).containsExactly(h2);
  }

  @Test
  void lostCopyOfAnOlderEpochIsHiddenWithoutANewEpoch() {
    f.servers(2);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 1, 1);
    long owner = StateFixture.servers(before, 0, 0).get(0);
    f.state.reportLocationFailure(io.dovetail.proto.ReportLocationFailureRequest.newBuilder()
        .setAppId("app").setShuffleId(0).addFailed(io.dovetail.proto.PartitionEpoch.newBuilder()
            .setPartition(0).setEpoch(0)).build());
    ShuffleLayout two = f.layout("app", 0);
    reportLost(owner, hostOf(before, owner), 0, 0);
    ShuffleLayout after = f.layout("app", 0);
    assertThat(after.getPartitions(0).getEpochsCount()).isEqualTo(2);
    assertThat(after.getPartitions(0).getEpochs(0).getServersList()).isEmpty();
    assertThat(StateFixture.servers(after, 0, 1)).isEqualTo(StateFixture.servers(two, 0, 1));
    assertThat(after.getPartitions(0).getEpochs(1).getWritable()).isTrue();
  }

  @Test
  void reportsThatDoNotMatchAnyCopyAreIgnored() {
    f.servers(2);
    f.app("app");
    ShuffleLayout before = f.shuffle("app", 0, 1, 1, 1);
    long owner = StateFixture.servers(before, 0, 0).get(0);
    long other = f.incarnations.values().stream().filter(i -> i != owner).findFirst()
        .orElseThrow();
    reportLost(other, hostOf(before, owner).equals("h1") ? "h2" : "h1", 0, 0); // not its copy
    reportLost(owner, hostOf(before, owner), 0, 5);                            // no such epoch
    reportLost(owner, hostOf(before, owner), 9, 0);                            // no such partition
    reportLost(owner + 1000, hostOf(before, owner), 0, 0);                     // unknown server
    assertThat(f.layout("app", 0)).isEqualTo(before);
  }

  @Test
  void aLostCopyIsNotReadoptedAfterARestartOfItsServer() {
    long h1 = f.register("h1", 7000);
    f.app("app");
    f.shuffle("app", 0, 1, 1, 1);
    reportLost(h1, "h1", 0, 0);
    var resp = f.state.registerServer(RegisterServerRequest.newBuilder().setHost("h1")
        .setDataPort(7000).addSealed(SealedPartition.newBuilder().setAppId("app")
            .setShuffleId(0).setPartition(0).setEpoch(0).setIncarnation(h1)).build());
    assertThat(resp.getDiscardCount()).isEqualTo(1);
    ShuffleLayout layout = f.layout("app", 0);
    assertThat(layout.getPartitions(0).getEpochs(0).getServersList()).isEmpty();
    // With a single server the new epoch had to go back to it (a new file).
    assertThat(StateFixture.servers(layout, 0, 1)).containsExactly(h1);
  }
}
