import { expect, it } from "vitest";
import type { WorkloadType } from "../api/types";
import served from "../api/workloadTypes.json";
import { kruiseResource, rolloutCommands } from "./commands";

// The commands a Rollout's pages show, written here (not by the server), as templates in
// rolloutCommands.json: app/commands_test.go runs each kubectl one against a real API server with
// --dry-run=server, and checks each kubectl-kruise one against its documented names and flags.
// A change here that is not written there fails this test (vitest -u writes it).

/** The kinds a Kruise Rollout can release (its workloadRef): their restart command. */
const ROLLOUT_TYPES = ["deployment", "cloneset", "statefulset", "daemonset", "apps-statefulset"];

it("the Rollout commands the UI shows are those app/commands_test.go runs", async () => {
  const all = served as WorkloadType[];
  const c = rolloutCommands("{namespace}", "{name}");
  const fixture = {
    approve: c.approve,
    resume: c.resume,
    pause: c.pause,
    undo: c.undo(),
    undoToRevision: c.undo(1),
    promoteCanary: c.promote("canaryStatus", 2),
    promoteBlueGreen: c.promote("blueGreenStatus", 2),
    enable: c.enable,
    disable: c.disable,
    restart: Object.fromEntries(
      ROLLOUT_TYPES.map((type) => [type, c.restart(kruiseResource(all.find((ty) => ty.type === type), type), "{workload}")]),
    ),
  };
  await expect(JSON.stringify(fixture, null, 2) + "\n").toMatchFileSnapshot("./rolloutCommands.json");
});
