import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { Button, Modal, Space, Switch, Table, Tooltip, Typography } from "antd";
import { QuestionCircleOutlined } from "@ant-design/icons";
import { SHORTCUTS, SHORTCUTS_KEY, ShortcutKeys, shortcutsOn, type ShortcutAction } from "../shortcuts";
import { useT, type Messages } from "../i18n";
import { clusterPath } from "./paths";

/** The search box of the page, if it has one. */
const searchBox = () => document.querySelector<HTMLInputElement>('main input[type="search"]');

const actionText = (t: Messages, a: ShortcutAction) => ({ search: t.shortcutSearch, inbox: t.shortcutInbox, fleet: t.shortcutFleet, help: t.shortcutHelp })[a];

/** Listens to the keyboard for the shortcuts (while on), and the "?" dialog that lists them and turns them off. */
export function Shortcuts() {
  const t = useT();
  const navigate = useNavigate();
  const [on, setOn] = useState(() => shortcutsOn(localStorage));
  const [open, setOpen] = useState(false);
  const keys = useRef(new ShortcutKeys());
  useEffect(() => {
    if (!on) return;
    const listener = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const action = keys.current.handle(e, performance.now());
      if (!action) return;
      if (action === "search") {
        const box = searchBox();
        if (!box) return;
        e.preventDefault();
        box.focus();
      } else if (action === "help") {
        e.preventDefault();
        setOpen(true);
      } else {
        e.preventDefault();
        navigate(clusterPath(action === "inbox" ? "/inbox" : "/fleet"));
      }
    };
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, [on, navigate]);
  const toggle = (next: boolean) => {
    setOn(next);
    localStorage.setItem(SHORTCUTS_KEY, next ? "1" : "0");
  };
  return (
    <>
      {/* The way to the list (and the switch) that needs no shortcut, so it works when they are off. */}
      <Tooltip title={t.shortcuts}>
        <Button type="text" size="small" aria-label={t.shortcuts} data-testid="shortcuts-button" icon={<QuestionCircleOutlined />} style={{ color: "rgba(255, 255, 255, 0.85)" }} onClick={() => setOpen(true)} />
      </Tooltip>
      <Modal open={open} title={t.shortcuts} footer={null} onCancel={() => setOpen(false)} destroyOnHidden>
      <Space direction="vertical" style={{ width: "100%" }} data-testid="shortcuts">
        <Space>
          <Switch checked={on} onChange={toggle} data-testid="shortcuts-switch" aria-label={t.shortcutsOn} />
          <Typography.Text>{t.shortcutsOn}</Typography.Text>
        </Space>
        <Typography.Text type="secondary">{t.shortcutsNote}</Typography.Text>
        <Table
          size="small"
          pagination={false}
          rowKey={(s) => s.action}
          dataSource={SHORTCUTS}
          showHeader={false}
          columns={[
            {
              key: "keys",
              render: (_, s) => (
                <span>
                  {s.keys.map((k, i) => (
                    <span key={i}>
                      {i > 0 && <> {t.shortcutThen} </>}
                      <kbd translate="no">{k}</kbd>
                    </span>
                  ))}
                </span>
              ),
            },
            { key: "action", render: (_, s) => actionText(t, s.action) },
          ]}
        />
      </Space>
    </Modal>
    </>
  );
}
