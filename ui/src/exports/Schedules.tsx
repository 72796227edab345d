import { useEffect, useState } from "react";
import type { Every } from "../bindings/Every";
import type { Schedule } from "../bindings/Schedule";
import type { View } from "../bindings/View";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { formatCell } from "../common/format";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

interface Props {
  views: View[];
}

/** Views exported daily or weekly into a folder while the app runs. */
export function Schedules({ views }: Props) {
  const transport = useTransport();
  const [schedules, setSchedules] = useState<Schedule[]>([]);
  const [version, setVersion] = useState(0);
  const [view, setView] = useState(views[0]?.id ?? "all");
  const [every, setEvery] = useState<Every>("daily");
  const [weekday, setWeekday] = useState(0);
  const [at, setAt] = useState("06:00");
  const [folder, setFolder] = useState("");
  const [format, setFormat] = useState<"csv" | "xlsx">("xlsx");
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(errorText(e));

  useEffect(() => {
    call(transport, { command: "schedules" }).then(setSchedules).catch(fail);
  }, [transport, version]);
  useEffect(() => {
    call(transport, { command: "export_folder" })
      .then((f) => setFolder((old) => old || f))
      .catch(() => {});
  }, [transport]);

  const add = () => {
    setError(null);
    call(transport, {
      command: "add_schedule",
      args: { view, every, at, weekday: every === "weekly" ? weekday : null, folder, format },
    })
      .then(() => setVersion((v) => v + 1))
      .catch(fail);
  };
  const remove = (id: number) =>
    call(transport, { command: "remove_schedule", args: { id } })
      .then(() => setVersion((v) => v + 1))
      .catch(fail);

  return (
    <section className="schedules" aria-label="Automated exports">
      <h3>Automated exports</h3>
      <ErrorMessage error={error} />
      {schedules.length > 0 && (
        <ul className="schedule-list">
          {schedules.map((s) => (
            <li key={s.id}>
              <strong>{s.view_name}</strong>{" "}
              {s.every === "weekly" ? `every ${WEEKDAYS[s.weekday ?? 0]}` : "every day"} at {s.at},{" "}
              {s.format.toUpperCase()} into {s.folder}
              <span className="muted">
                {" "}
                · next {formatCell("time", s.next_run_at).text}
                {s.last_run_at && ` · last ${formatCell("time", s.last_run_at).text}`}
              </span>{" "}
              <button type="button" className="link" onClick={() => void remove(s.id)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="schedule-form" role="group" aria-label="New automated export">
        <select aria-label="View to export" value={view} onChange={(e) => setView(e.target.value)}>
          {views.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
        <select
          aria-label="How often"
          value={every}
          onChange={(e) => setEvery(e.target.value as Every)}
        >
          <option value="daily">every day</option>
          <option value="weekly">every week</option>
        </select>
        {every === "weekly" && (
          <select
            aria-label="Weekday"
            value={weekday}
            onChange={(e) => setWeekday(Number(e.target.value))}
          >
            {WEEKDAYS.map((d, i) => (
              <option key={d} value={i}>
                {d}
              </option>
            ))}
          </select>
        )}
        <label>
          at{" "}
          <input
            type="time"
            aria-label="Time of day"
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
        </label>
        <select
          aria-label="Format"
          value={format}
          onChange={(e) => setFormat(e.target.value as "csv" | "xlsx")}
        >
          <option value="xlsx">XLSX</option>
          <option value="csv">CSV</option>
        </select>
        <input
          type="text"
          aria-label="Folder"
          placeholder="Folder"
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
        />
        <button type="button" onClick={add} disabled={!folder.trim()}>
          Add
        </button>
      </div>
      <p className="muted">
        Runs while Invlog is open (the app or <code>invlog serve</code>); a run missed while it was
        closed happens once when it opens. For cron: <code>invlog export --view NAME</code>.
      </p>
    </section>
  );
}
