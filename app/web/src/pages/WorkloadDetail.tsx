import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { Alert, App, Button, Card, Checkbox, Descriptions, Input, InputNumber, Space, Spin, Table, Tag, Typography } from "antd";
import {
  deleteWorkload,
  getWorkloadEvents,
  getWorkloadRollout,
  getWorkloadWithPods,
  listWorkloadPage,
  restartWorkload,
  runWorkloadAction,
  scaleWorkload,
  setWorkloadImage,
} from "../api/workload";
import type { ActionParam, CompactWorkload, DeclaredAction, Pod, SetImageResult, Workload, WorkloadRollout, WorkloadType } from "../api/types";
import { ActionButton, Ago, Changes, EventsCard, Loadable, ReleaseNote, SLOW_REFRESH_MS, Title, usePoll, waitingSteps } from "../components/common";
import { rolloutChange, workloadChange } from "../live";
import { PodLogsDrawer, type LogTarget } from "../components/PodLogs";
import { useCan } from "../auth";
import { useWorkloadTypes } from "../contexts";
import { fmt, useT, type Messages } from "../i18n";
import { containersOf, stateColor, stateLabel, type State } from "../workloadSummary";
import { actionChanges, actionParams, apiNamespace, cellText, controllerOf, isClusterScoped, localTitle, originText, paramProblem, typeFields, typeLabel, type ParamValues } from "../workloadTypes";
import { Raw, rawFmt } from "../components/raw";
import { ApiValue, TypeName } from "../components/values";
import { declaredActionCommand, workloadCommand, type WorkloadAction } from "../components/commands";
import { toYaml } from "../yaml";
import { OwnerLink, ownerText, stepText } from "../components/cells";
import { clusterPath, rolloutPath } from "../components/paths";
import { FavouriteStar, TitleRow } from "../components/Favourites";
import { personSteps } from "../rolloutSteps";

type Action = WorkloadAction;

/** What the confirm dialog of an action says about the Rollout governing the workload. */
export function rolloutWarning(
  t: Messages,
  action: Action,
  rollout: { data?: WorkloadRollout | null; error: unknown; loading: boolean },
  // The page marks the Rollout's name as a name (rawFmt); the tests read plain text (fmt).
  f: (message: string, values: Record<string, string | number>) => React.ReactNode = fmt,
): React.ReactNode {
  if (rollout.error) {
    const why = rollout.error instanceof Error ? rollout.error.message : String(rollout.error);
    return `${t.rolloutUnknown} ${why}`;
  }
  if (rollout.loading && rollout.data === undefined) return t.rolloutChecking;
  const r = rollout.data;
  if (!r) return undefined;
  const st = r.status;
  if (action === "delete") return f(t.deleteUnderRollout, { name: r.name, reason: "Workload Not Found" });
  // A scale is not held by any Rollout: the dialog's preview line says so; warned only of a release in progress.
  if (action === "scale") return st.active && !st.disabled ? f(t.scaleUnderRolloutActive, { name: r.name, step: stepText(st) }) : undefined;
  if (st.disabled) return f(t.rolloutDisabledNote, { name: r.name });
  const waits = waitingSteps(personSteps(st));
  const steps = waits ? fmt(t.rolloutStepsWait, { steps: waits }) : t.rolloutStepsNoWait;
  switch (action) {
    case "restart":
      return join(f(t.restartUnderRollout, { name: r.name }), steps);
    case "setImage":
      return join(f(t.setImageUnderRollout, { name: r.name }), steps);
  }
}

/** Two parts of a message, one after the other: text stays text. */
const join = (a: React.ReactNode, b: string): React.ReactNode => (typeof a === "string" ? `${a} ${b}` : <>{a} {b}</>);

/**
 * The scale dialog's one line: from the current replicas to the new, how many pods are added or
 * removed, and whether a Rollout holds it (none does: a scale is not a template change).
 */
export function scalePreview(
  t: Messages,
  from: number | undefined,
  to: number | null,
  governing: WorkloadRollout | null | undefined,
  // The page marks the Rollout's name as a name (rawFmt); the tests read plain text (fmt).
  f: (message: string, values: Record<string, string | number>) => React.ReactNode = fmt,
): React.ReactNode {
  if (from === undefined || to === null || to < 0) return undefined;
  const counts = { from, to, n: Math.abs(to - from) };
  const pods = to > from ? fmt(t.scaleUp, counts) : to < from ? fmt(t.scaleDown, counts) : fmt(t.scaleSame, counts);
  if (governing === undefined) return pods + ".";
  if (!governing) return pods + t.scaleNoRollout;
  const held = f(t.scaleNotHeld, { name: governing.name });
  return typeof held === "string" ? pods + held : (
    <>
      {pods}
      {held}
    </>
  );
}

/**
 * What a dialog says when a controller owns the object: it may undo the change. Given the owner's
 * name as people read it (none: nothing to say), it adds that to another warning (the Rollout's).
 */
export function ownerWarning(t: Messages, owner: string | undefined) {
  return (other: React.ReactNode): React.ReactNode => {
    if (!owner) return other;
    const note = <span data-testid="owner-warning">{rawFmt(t.ownerWarning, { owner })}</span>;
    return other ? (
      <>
        <div>{note}</div>
        <div>{other}</div>
      </>
    ) : (
      note
    );
  };
}

/**
 * The compact item of one object: its columns and state, computed on the server
 * (the object itself does not carry them). The name is searched for; the exact one is kept.
 */
export async function findCompact(apiNs: string, type: string, name: string): Promise<CompactWorkload | null> {
  let page = await listWorkloadPage(apiNs, type, { q: name, limit: 1000 });
  for (let pages = 1; ; pages++) {
    const hit = page.items.find((w) => w.metadata.name === name);
    if (hit) return hit;
    if (!page.continue || pages >= 5) return null;
    page = await listWorkloadPage(apiNs, type, { q: name, limit: 1000, continue: page.continue });
  }
}

export function WorkloadDetail({ ns }: { ns: string }) {
  const types = useWorkloadTypes();
  const { type = "", name = "" } = useParams();
  // Where the type's objects are (a namespace or _cluster) is known once the registry is.
  if (types.length === 0) return <Spin />;
  return <WorkloadPage ns={ns} type={type} name={name} types={types} key={`${type}/${name}`} />;
}

function WorkloadPage({ ns, type, name, types }: { ns: string; type: string; name: string; types: WorkloadType[] }) {
  const t = useT();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const info = types.find((ty) => ty.type === type);
  const cluster = isClusterScoped(info);
  // The API's namespace segment: _cluster for a cluster-scoped type, whatever namespace is shown.
  const apiNs = apiNamespace(info, ns);
  // The workload's changes reload it; its pods and events are not streamed (a pod's change shows in
  // the workload's status, a restart count or an event may not), so they also refresh slowly.
  const itself = { namespace: apiNs, matches: workloadChange(type, name), every: SLOW_REFRESH_MS };
  const detail = usePoll(() => getWorkloadWithPods(apiNs, type, name), [apiNs, type, name], { live: itself });
  const compact = usePoll(() => findCompact(apiNs, type, name), [apiNs, type, name], { live: itself });
  const events = usePoll(() => getWorkloadEvents(apiNs, type, name), [apiNs, type, name], { live: itself });
  // Rollouts are namespaced: none governs a cluster-scoped object.
  const governing = usePoll(() => (cluster ? Promise.resolve(null) : getWorkloadRollout(apiNs, type, name)), [apiNs, type, name, cluster], {
    live: cluster ? undefined : { namespace: ns, matches: rolloutChange() },
  });
  const can = useCan();
  const [replicas, setReplicas] = useState<number | null>(null);
  const [confirmName, setConfirmName] = useState("");
  const [images, setImages] = useState<Record<string, string>>({});
  // The pod whose logs the drawer shows (kept while it closes, so its content does not vanish first).
  const [logs, setLogs] = useState<{ target: LogTarget; open: boolean }>();
  const w = detail.data?.workload;
  const kind = info ? typeLabel(info, types, t.locale) : (w?.kind ?? type);
  const kindNode = info ? <TypeName ty={info} all={types} /> : <Raw>{kind}</Raw>;
  const done = (r?: unknown, text?: string) => {
    const msg = (r as { message?: string } | undefined)?.message;
    message.success(text || msg || t.done);
    void detail.reload();
    void compact.reload();
    void events.reload();
    void governing.reload();
  };
  /** The built-in action's command for this type, or undefined (the note says why). */
  const cmd = (action: Action, opts: { replicas?: number; images?: Record<string, string> } = {}) => workloadCommand(info, action, ns, name, opts);
  const containers = w ? containersOf(w) : [];
  const newImages = Object.fromEntries(
    containers.filter((c) => (images[c.name] ?? "").trim() !== "" && images[c.name].trim() !== c.image).map((c) => [c.name, images[c.name].trim()]),
  );
  const imagesValid = Object.keys(newImages).length > 0 && Object.values(newImages).every((i) => !/\s/.test(i));
  // A controller that owns the object (a UnitedDeployment's subset) sets it from its own spec: every
  // change here may be undone, which every dialog says.
  const owner = controllerOf(w?.metadata);
  const withOwner = ownerWarning(t, owner ? ownerText(owner, types, t.locale) : undefined);
  const warn = (action: Action) => withOwner(rolloutWarning(t, action, governing, rawFmt));
  const titled = (verb: string) => (
    <>
      {verb} <Raw>{name}</Raw>
    </>
  );
  const listPath = clusterPath(`/workloads?ns=${encodeURIComponent(ns)}&type=${encodeURIComponent(type)}`);

  return (
    <>
      <TitleRow star={<FavouriteStar kind="workload" type={type} namespace={ns} name={name} />}>
        <Title label={cluster ? `${kind} ${name}` : `${kind} ${ns}/${name}`}>
          {kindNode} <Raw>{cluster ? name : `${ns}/${name}`}</Raw>
        </Title>
      </TitleRow>
      <Loadable loading={detail.loading} error={detail.error} back={{ to: listPath, label: t.backToWorkloads }} onRetry={() => void detail.reload()}>
        {w && (
          <Space direction="vertical" style={{ width: "100%" }} size="large">
            <Card title={t.summary}>
              {info && <WorkloadSummary w={w} info={info} compact={compact} governing={governing} ns={ns} />}
              <Space style={{ marginTop: 12 }} wrap>
                {info?.capabilities.scalable && (
                  <ActionButton
                    label={t.scale}
                    testId="scale-button"
                    permission={can.workload(type, "scale")}
                    title={titled(t.scale)}
                    command={cmd("scale", { replicas: replicas ?? undefined })}
                    warning={warn("scale")}
                    ready={replicas !== null && replicas >= 0}
                    body={
                      <ScaleInputs
                        current={specReplicas(w)}
                        replicas={replicas}
                        setReplicas={setReplicas}
                        preview={scalePreview(t, specReplicas(w), replicas, governing.error ? undefined : governing.data, rawFmt)}
                      />
                    }
                    run={() => scaleWorkload(apiNs, type, name, replicas ?? 0)}
                    onDone={() => done()}
                  />
                )}
                {info?.capabilities.restartable && (
                  <ActionButton
                    label={t.restart}
                    testId="restart-button"
                    permission={can.workload(type, "restart")}
                    title={titled(t.restart)}
                    command={cmd("restart")}
                    commandNote={cmd("restart") === undefined ? rawFmt(t.restartDeclaredNote, { annotation: "kubectl.kubernetes.io/restartedAt" }) : undefined}
                    warning={warn("restart")}
                    run={() => restartWorkload(apiNs, type, name)}
                    onDone={() => done()}
                  />
                )}
                {info?.capabilities.imageSettable && containers.length > 0 && (
                  <ActionButton
                    label={t.setImage}
                    testId="set-image-button"
                    permission={can.workload(type, "setImage")}
                    title={titled(t.setImage)}
                    command={cmd("setImage", { images: newImages })}
                    commandNote={cmd("setImage") === undefined ? t.setImageDeclaredNote : undefined}
                    // Once the preview says what the Rollout does, the warning would say it again.
                    warning={(preview) => (preview ? undefined : warn("setImage"))}
                    ready={imagesValid}
                    body={<ImageInputs containers={containers} images={images} setImages={setImages} valid={imagesValid} />}
                    preview={{
                      key: JSON.stringify(newImages),
                      load: () => setWorkloadImage(apiNs, type, name, newImages, true),
                      render: (r) => <SetImagePreview result={r as SetImageResult} />,
                    }}
                    run={() => setWorkloadImage(apiNs, type, name, newImages, false)}
                    onDone={(r) => {
                      const res = r as SetImageResult;
                      setImages({});
                      done(res);
                      if (res?.rollout?.startsRelease) message.info(rawFmt(t.releaseStarted, { name: res.rollout.name }));
                    }}
                  />
                )}
                {info?.actions?.map((a) => (
                  <DeclaredActionButton
                    key={a.name}
                    info={info}
                    ns={ns}
                    apiNs={apiNs}
                    name={name}
                    w={w}
                    action={a}
                    warning={withOwner(undefined)}
                    onDone={() => done(undefined, fmt(t.actionDone, { action: localTitle(a, t.locale) }))}
                  />
                ))}
                <ActionButton
                  danger
                  label={t.delete}
                  testId="delete-button"
                  permission={can.workload(type, "delete")}
                  title={titled(t.delete)}
                  command={cmd("delete")}
                  warning={withOwner(governing.data ? rolloutWarning(t, "delete", governing, rawFmt) : undefined)}
                  ready={confirmName === name}
                  body={<Input aria-label={t.typeNameToConfirm} data-testid="delete-confirm-input" placeholder={t.typeNameToConfirm} value={confirmName} onChange={(e) => setConfirmName(e.target.value)} />}
                  run={() => deleteWorkload(apiNs, type, name)}
                  onDone={() => navigate(listPath)}
                />
              </Space>
            </Card>
            <Card title={`${t.pods} (${detail.data?.pods.length ?? 0})`}>
              <Table<Pod>
                size="small"
                data-testid="pod-table"
                rowKey={(p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`}
                dataSource={detail.data?.pods ?? []}
                locale={{ emptyText: t.empty }}
                pagination={{ pageSize: 50, hideOnSinglePage: true }}
                columns={[
                  { title: t.name, render: (_, p) => <Raw>{p.metadata.name}</Raw> },
                  // A cluster-scoped object's pods are in any namespace.
                  ...(cluster ? [{ title: t.namespace, render: (_: unknown, p: Pod) => <Raw>{p.metadata.namespace ?? "-"}</Raw> }] : []),
                  { title: t.phase, render: (_, p) => <Tag><ApiValue kind="podPhase" value={p.status.phase} /></Tag> },
                  { title: t.ready, render: (_, p) => (p.status.conditions?.find((c) => c.type === "Ready")?.status === "True" ? "✓" : "✗") },
                  { title: t.restarts, render: (_, p) => (p.status.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0) },
                  { title: t.images, render: (_, p) => <Raw>{p.spec.containers.map((c) => c.image).join(", ")}</Raw> },
                  { title: t.node, render: (_, p) => <Raw>{p.spec.nodeName ?? "-"}</Raw> },
                  // Pods of a ReplicaSet carry its template hash, not a revision: the title says which the labels are.
                  {
                    title: (detail.data?.pods ?? []).some((p) => p.metadata.labels?.["controller-revision-hash"] === undefined && p.metadata.labels?.["pod-template-hash"] !== undefined)
                      ? t.templateHash
                      : t.revision,
                    render: (_, p) => <Raw>{p.metadata.labels?.["controller-revision-hash"] ?? p.metadata.labels?.["pod-template-hash"] ?? "-"}</Raw>,
                  },
                  { title: t.age, render: (_, p) => <Ago ts={p.metadata.creationTimestamp} /> },
                  {
                    title: t.actions,
                    render: (_, p) => (
                      <Button
                        size="small"
                        data-testid={`pod-logs-${p.metadata.name}`}
                        aria-label={fmt(t.logsOf, { pod: p.metadata.name })}
                        onClick={() => setLogs({ target: { pod: p.metadata.name, containers: p.spec.containers.map((c) => c.name) }, open: true })}
                      >
                        {t.logs}
                      </Button>
                    ),
                  },
                ]}
              />
            </Card>
            <PodLogsDrawer ns={apiNs} type={type} name={name} target={logs?.target} open={logs?.open ?? false} onClose={() => setLogs((l) => l && { ...l, open: false })} />
            <EventsCard events={events} />
            <Card title={t.yaml}>
              <pre tabIndex={0} role="region" aria-label={t.yamlLabel} translate="no" style={{ maxHeight: 480, overflow: "auto", fontSize: 12 }} data-testid="yaml">
                {toYaml(w)}
              </pre>
            </Card>
          </Space>
        )}
      </Loadable>
    </>
  );
}

/** spec.replicas of a scalable workload (undefined when it has none). */
const specReplicas = (w: Workload) => (typeof w.spec?.replicas === "number" ? w.spec.replicas : undefined);

/** The scale dialog's body: a labelled input, the current value, and what the new one does. */
export function ScaleInputs(props: { current: number | undefined; replicas: number | null; setReplicas: (v: number | null) => void; preview: React.ReactNode }) {
  const t = useT();
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <label htmlFor="scale-replicas">
        <Typography.Text strong>{t.replicas}</Typography.Text>
      </label>
      {props.current !== undefined && <Typography.Text data-testid="current-replicas">{fmt(t.currentReplicas, { n: props.current })}</Typography.Text>}
      <InputNumber
        id="scale-replicas"
        controls={false}
        aria-label={t.replicas}
        data-testid="replicas-input"
        min={0}
        precision={0}
        placeholder={props.current !== undefined ? String(props.current) : undefined}
        value={props.replicas}
        onChange={(v) => props.setReplicas(v)}
      />
      {props.preview && (
        <Typography.Text data-testid="scale-preview" aria-live="polite">
          {props.preview}
        </Typography.Text>
      )}
    </Space>
  );
}

/** One input per container, with its current image. */
function ImageInputs(props: { containers: { name: string; image: string }[]; images: Record<string, string>; setImages: (f: (m: Record<string, string>) => Record<string, string>) => void; valid: boolean }) {
  const t = useT();
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {props.containers.map((c) => (
        <div key={c.name}>
          <Typography.Text strong>
            {t.container} <Raw>{c.name}</Raw>
          </Typography.Text>
          <div>
            {t.currentImage}: <Typography.Text code translate="no">{c.image}</Typography.Text>
          </div>
          <Input
            aria-label={fmt(t.newImageFor, { name: c.name })}
            placeholder={t.newImage}
            data-testid={`image-input-${c.name}`}
            value={props.images[c.name] ?? ""}
            onChange={(e) => {
              const v = e.target.value;
              props.setImages((m) => ({ ...m, [c.name]: v }));
            }}
          />
        </div>
      ))}
      {!props.valid && <Typography.Text>{t.imageRequired}</Typography.Text>}
    </Space>
  );
}

export function SetImagePreview({ result }: { result: SetImageResult }) {
  const t = useT();
  if (!result) return null;
  if (!result.changed)
    return (
      <Alert
        type="info"
        showIcon
        message={
          <>
            {t.noChange} <Raw>{result.message}</Raw>
          </>
        }
        data-testid="no-change"
      />
    );
  // The diff says what changes and the note what the Rollout does: the server's message (the same
  // two in one English sentence) is not repeated.
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="set-image-preview">
      <Changes diff={result.diff ?? []} />
      {result.rollout ? (
        <ReleaseNote
          rollout={result.rollout.name}
          startsRelease={result.rollout.startsRelease}
          steps={result.rollout.steps ?? []}
          explanation={result.rollout.explanation}
          case={result.rollout.case}
        />
      ) : (
        <Alert type="info" showIcon message={t.noRolloutGoverns} data-testid="no-release" />
      )}
    </Space>
  );
}

/** The governing Rollout's cell of a summary. */
function RolloutCell({ governing, ns }: { governing: { data?: WorkloadRollout | null; error: unknown }; ns: string }) {
  const t = useT();
  const r = governing.data;
  return (
    <span data-testid="workload-rollout">
      {governing.error ? (
        "?"
      ) : r === undefined ? (
        "…"
      ) : r === null ? (
        t.noRollout
      ) : (
        <Space size={4} wrap>
          <Link to={rolloutPath(ns, r.name)} data-testid="workload-rollout-link" translate="no">
            {r.name}
          </Link>
          <Tag color={r.status.active ? "processing" : "default"}>
            <ApiValue kind="rolloutPhase" value={r.status.phase} />
          </Tag>
          {r.status.active && stepText(r.status) !== "-" && <span>{`${t.step} ${stepText(r.status)}`}</span>}
          {r.status.waitingForApproval && <Tag color="warning">{t.waitingApproval}</Tag>}
        </Space>
      )}
    </span>
  );
}

/**
 * The summary: the state and every column the server computed by the type's adapter or declaration
 * (the compact item), the scope, where a declared type was declared, and the Rollout (namespaced
 * types).
 */
export function WorkloadSummary(props: {
  w: Workload;
  info: WorkloadType;
  compact: { data?: CompactWorkload | null; error: unknown };
  governing: { data?: WorkloadRollout | null; error: unknown };
  ns: string;
}) {
  const t = useT();
  const { w, info, compact } = props;
  const c = compact.data;
  const state = c?.state as State | undefined;
  const pending = compact.error ? "?" : c === undefined ? "…" : "-";
  return (
    <Descriptions size="small" column={3} data-testid="workload-summary">
      <Descriptions.Item label={t.state}>
        {state ? (
          <Tag color={stateColor(state)} data-testid="workload-state">
            {t[stateLabel(state)] ?? state}
          </Tag>
        ) : (
          pending
        )}
      </Descriptions.Item>
      {typeFields(info, t.locale, "detail").map((f) => {
        const v = c ? f.value(c) : undefined;
        return (
          <Descriptions.Item key={f.key} label={f.title}>
            <span data-testid={f.key} translate={c && f.kind !== "time" ? "no" : undefined}>
              {!c ? pending : f.kind === "time" ? <Ago ts={typeof v === "string" ? v : null} /> : cellText(v)}
            </span>
          </Descriptions.Item>
        );
      })}
      <Descriptions.Item label={t.age}>
        <Ago ts={w.metadata.creationTimestamp} />
      </Descriptions.Item>
      <Descriptions.Item label={t.apiVersion}>
        <Raw>{w.apiVersion}</Raw>
      </Descriptions.Item>
      <Descriptions.Item label={t.scope}>
        <span data-testid="workload-scope">{isClusterScoped(info) ? t.scopeCluster : t.scopeNamespaced}</span>
      </Descriptions.Item>
      {controllerOf(w.metadata) && (
        <Descriptions.Item label={t.managedBy}>
          <OwnerLink owner={controllerOf(w.metadata)!} ns={props.ns} />
        </Descriptions.Item>
      )}
      {info.source === "declared" && (
        <Descriptions.Item label={t.declaredIn}>
          <span data-testid="declared-in">{originText(t, info, rawFmt)}</span>
        </Descriptions.Item>
      )}
      {!isClusterScoped(info) && (
        <Descriptions.Item label={t.rollout}>
          <RolloutCell governing={props.governing} ns={props.ns} />
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

/** The text saying what is wrong with a parameter's value ("" when nothing). */
export function paramProblemText(t: Messages, p: ActionParam, v: ParamValues[string]): string {
  const say = (why: string) => `${localTitle(p, t.locale)}: ${why}`;
  switch (paramProblem(p, v)) {
    case "required":
      return say(t.paramRequired);
    case "whole":
      return say(t.paramWhole);
    case "min":
      return say(fmt(t.paramMin, { min: p.min ?? 0 }));
    case "max":
      return say(fmt(t.paramMax, { max: p.max ?? 0 }));
    case "range":
      return say(fmt(t.paramRange, { min: p.min ?? 0, max: p.max ?? 0 }));
    default:
      return "";
  }
}

/** The bounds of an integer parameter, as the label says them. */
function boundsText(t: Messages, p: ActionParam): string {
  if (p.type !== "integer") return "";
  if (p.min !== undefined && p.max !== undefined) return fmt(t.paramRange, { min: p.min, max: p.max });
  if (p.min !== undefined) return fmt(t.paramMin, { min: p.min });
  if (p.max !== undefined) return fmt(t.paramMax, { max: p.max });
  return "";
}

/** The form of a declared action's parameters: an input per parameter, by its type. */
export function ParamInputs(props: { action: DeclaredAction; values: ParamValues; setValues: (f: (v: ParamValues) => ParamValues) => void }) {
  const t = useT();
  const { action, values } = props;
  const set = (name: string, v: ParamValues[string]) => props.setValues((cur) => ({ ...cur, [name]: v }));
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="action-params">
      {(action.params ?? []).map((p) => {
        const id = `param-${action.name}-${p.name}`;
        const v = values[p.name];
        // Said once the field was touched (a required one left empty is said by Confirm staying off).
        const problem = v === undefined ? "" : paramProblemText(t, p, v);
        const hint = [p.required ? t.paramRequired : t.paramOptional, boundsText(t, p)].filter(Boolean).join(t.listSeparator);
        return (
          <div key={p.name}>
            {p.type === "boolean" ? (
              <Checkbox id={id} data-testid={`param-${p.name}`} checked={v === true} onChange={(e) => set(p.name, e.target.checked)}>
                {`${localTitle(p, t.locale)} ${fmt(t.paramHint, { hint })}`}
              </Checkbox>
            ) : (
              <>
                <label htmlFor={id}>
                  <Typography.Text strong>{localTitle(p, t.locale)}</Typography.Text> {fmt(t.paramHint, { hint })}
                </label>
                <div>
                  {p.type === "integer" ? (
                    <InputNumber
                      // Its step buttons are named "Increase Value" whatever the language (rc-input-number); the arrow keys step.
                      controls={false}
                      id={id}
                      data-testid={`param-${p.name}`}
                      aria-required={p.required}
                      precision={0}
                      min={p.min}
                      max={p.max}
                      value={typeof v === "number" ? v : null}
                      onChange={(n) => set(p.name, n)}
                      style={{ minWidth: 160 }}
                    />
                  ) : (
                    <Input id={id} data-testid={`param-${p.name}`} aria-required={p.required} value={typeof v === "string" ? v : ""} onChange={(e) => set(p.name, e.target.value)} />
                  )}
                </div>
              </>
            )}
            {problem && (
              <Typography.Text data-testid={`param-problem-${p.name}`} role="status">
                {problem}
              </Typography.Text>
            )}
          </div>
        );
      })}
    </Space>
  );
}

/** What a declared action changes: the current object against the server's dry run. */
export function ActionPreview({ current, result, action }: { current: Workload; result: Workload; action: DeclaredAction }) {
  const t = useT();
  if (!result) return null;
  const { diff } = actionChanges(current, result, action);
  if (diff.length === 0) return <Alert type="info" showIcon message={t.actionNoChange} data-testid="no-change" />;
  return <Changes diff={diff} title={t.objectChanges} testId="object-diff" />;
}

/**
 * A declared action's button: permission from /me ("action:<name>"), a form when it has
 * parameters, the server's dry run as the preview (and the merge patch it amounts to as the
 * command), then the action.
 */
export function DeclaredActionButton(props: { info: WorkloadType; ns: string; apiNs: string; name: string; w: Workload; action: DeclaredAction; warning?: React.ReactNode; onDone: () => void }) {
  const t = useT();
  const can = useCan();
  const { info, ns, apiNs, name, w, action } = props;
  const [values, setValues] = useState<ParamValues>({});
  const params = actionParams(action, values);
  const hasParams = (action.params ?? []).length > 0;
  return (
    <ActionButton
      label={localTitle(action, t.locale)}
      testId={`action-${action.name}`}
      permission={can.workload(info.type, `action:${action.name}`)}
      title={
        <>
          {localTitle(action, t.locale)} <Raw>{name}</Raw>
        </>
      }
      command={(preview) =>
        declaredActionCommand(action, ns, name, preview ? actionChanges(w, preview as Workload, action).patch : undefined, t.patchPending)
      }
      commandNote={t.actionCommandNote}
      warning={props.warning}
      ready={params !== null}
      body={
        hasParams ? (
          <>
            <ParamInputs action={action} values={values} setValues={setValues} />
            {params === null && <Typography.Text>{t.paramsInvalid}</Typography.Text>}
          </>
        ) : undefined
      }
      preview={{
        key: JSON.stringify(params),
        load: () => runWorkloadAction(apiNs, info.type, name, action.name, params ?? {}, true),
        render: (r) => <ActionPreview current={w} result={r as Workload} action={action} />,
      }}
      run={() => runWorkloadAction(apiNs, info.type, name, action.name, params ?? {}, false)}
      onDone={() => {
        setValues({});
        props.onDone();
      }}
    />
  );
}
