import { useState } from 'react';
import { LOG_SHOW, type LogEntry } from './live';
import type { PlanView, ScaleDecision } from './plan';
import { formatPrice } from './params';

export interface PlanPanelProps {
  plan: PlanView | null;
  scale: ScaleDecision | null;
  log: LogEntry[];
  note: string | null;
  tz: string;
  /** What to say when there is no plan (default: how to put one on the link). */
  emptyText?: string | null;
}

function pct(x: number | null): string {
  return x === null ? '—' : `${Math.round(x * 100)}%`;
}

function ConfidenceDots({ confidence }: { confidence: number }) {
  const filled = Math.round(confidence * 5);
  const tone = confidence >= 0.8 ? 'good' : confidence >= 0.6 ? 'warn' : confidence >= 0.4 ? 'orange' : 'bad';
  return (
    <span className="conf-meter" data-testid="confidence" title={`Confidence ${confidence.toFixed(2)}`}>
      {[0, 1, 2, 3, 4].map((i) => (
        <span key={i} className={`dot ${i < filled ? `dot-${tone}` : 'dot-empty'}`} />
      ))}
      <span className="conf-value">{confidence.toFixed(2)}</span>
    </span>
  );
}

export function PlanPanel({ plan, scale, log, note, tz, emptyText }: PlanPanelProps) {
  const [checked, setChecked] = useState<Record<number, boolean>>({});
  const [showAllLog, setShowAllLog] = useState(false);
  if (!plan) {
    return (
      <aside className="plan-panel" data-testid="plan-panel">
        <h2>Plan</h2>
        <p className="muted" data-testid="plan-empty">{emptyText ?? 'No plan on this link. Add entry/stop/tp parameters or a plan_id to see one.'}</p>
        <PlanLog log={log} showAll={showAllLog} onToggle={() => setShowAllLog((v) => !v)} tz={tz} />
      </aside>
    );
  }
  const risk = plan.stop === null ? null : Math.abs(plan.entry - plan.stop);
  return (
    <aside className="plan-panel" data-testid="plan-panel">
      <h2>
        Plan {plan.planId && <span className="muted small">{plan.planId}{plan.version ? ` v${plan.version}` : ''}</span>}
      </h2>
      {scale && scale.factor !== 1 && (
        <p className="scale-note" data-testid="scale-note">
          Prices scaled ×{scale.factor.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')} ({scale.mode === 'manual' ? 'scale_plan' : 'plan far from price'})
        </p>
      )}
      {plan.confidence !== null && (
        <div className="row">
          <span className="label">Confidence</span>
          <ConfidenceDots confidence={plan.confidence} />
        </div>
      )}
      {plan.factors.length > 0 && (
        <ul className="factors" data-testid="factors">
          {plan.factors.map((f) => (
            <li key={f.label} className={`factor factor-${f.tone}`}>
              <span className={`dot dot-${f.tone}`} aria-hidden="true" />
              {f.label}
            </li>
          ))}
        </ul>
      )}
      <table className="levels-table" data-testid="plan-table">
        <tbody>
          <tr>
            <th>Entry</th>
            <td className="num">{formatPrice(plan.entry)}</td>
            <td colSpan={3} className="muted small">{plan.direction}</td>
          </tr>
          {plan.stop !== null && (
            <tr>
              <th>Stop</th>
              <td className="num">{formatPrice(plan.stop)}</td>
              <td colSpan={3} className="muted small">risk {risk !== null ? formatPrice(risk) : '—'}</td>
            </tr>
          )}
        </tbody>
      </table>
      <h3>Targets</h3>
      <table className="levels-table" data-testid="targets">
        <thead>
          <tr>
            <th>TP</th>
            <th className="num">Price</th>
            <th className="num">R:R</th>
            <th className="num">Prob</th>
            <th className="num">×EM</th>
          </tr>
        </thead>
        <tbody>
          {plan.targets.map((t, i) => (
            <tr key={i} title={t.reason ?? undefined}>
              <th>TP{i + 1}</th>
              <td className="num">{formatPrice(t.price)}</td>
              <td className="num">{t.rr === null ? '—' : t.rr.toFixed(2)}</td>
              <td className="num">{pct(t.prob)}</td>
              <td className="num">{t.emFraction === null ? '—' : t.emFraction.toFixed(2)}</td>
            </tr>
          ))}
          {plan.runner !== null && (
            <tr>
              <th>Runner</th>
              <td className="num">{formatPrice(plan.runner)}</td>
              <td colSpan={3} />
            </tr>
          )}
        </tbody>
      </table>
      {plan.targets.some((t) => t.reason) && (
        <ul className="reasons small muted">
          {plan.targets.map((t, i) => (t.reason ? <li key={i}>TP{i + 1}: {t.reason}</li> : null))}
        </ul>
      )}
      <h3>Pre-entry checklist</h3>
      <ul className="checklist" data-testid="checklist">
        {(plan.warnings.length ? plan.warnings : ['Price confirms at the entry level', 'Stop placed before entry', 'Size fits the risk budget']).map((w, i) => (
          <li key={i}>
            <label>
              <input type="checkbox" checked={!!checked[i]} onChange={(e) => setChecked((c) => ({ ...c, [i]: e.target.checked }))} /> {w}
            </label>
          </li>
        ))}
      </ul>
      {note && (
        <p className="plan-note" data-testid="plan-note">
          {note}
        </p>
      )}
      <PlanLog log={log} showAll={showAllLog} onToggle={() => setShowAllLog((v) => !v)} tz={tz} />
    </aside>
  );
}

function PlanLog({ log, showAll, onToggle, tz }: { log: LogEntry[]; showAll: boolean; onToggle: () => void; tz: string }) {
  const shown = showAll ? log : log.slice(0, LOG_SHOW);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (
    <section className="plan-log" data-testid="plan-log">
      <h3>Plan log</h3>
      {log.length === 0 ? (
        <p className="muted small">No events yet.</p>
      ) : (
        <ol className={showAll ? 'scroll' : ''}>
          {shown.map((e) => (
            <li key={`${e.at}-${e.text}`} className={e.severity === 'alert' ? 'alert' : ''}>
              <span className="muted small">{time.format(new Date(e.at))}</span> {e.text}
            </li>
          ))}
        </ol>
      )}
      {log.length > LOG_SHOW && (
        <button type="button" className="btn link" onClick={onToggle}>
          {showAll ? 'Show latest' : `Show all ${log.length}`}
        </button>
      )}
    </section>
  );
}
