import { listAllRollouts } from "../api/rollout";
import { Title, usePoll } from "../components/common";
import { useT } from "../i18n";
import { RolloutTable } from "./Overview";

export function Rollouts({ ns }: { ns: string }) {
  const t = useT();
  const list = usePoll(() => listAllRollouts(ns), [ns]);
  return (
    <>
      <Title>{t.rollouts} ({ns})</Title>
      <RolloutTable rows={list.data ?? []} ns={ns} loading={list.loading} error={list.error} />
    </>
  );
}
