import type { PlanStatus } from '../api/types';
import { ThemeToggle } from '../theme/ThemeToggle';
import { formatAge, heartbeatHealth, humanize, type StreamHealth } from './live';
import type { PlanView } from './plan';
import { formatClock, zoneAbbreviation, type MarketPhase } from './time';

const PHASE_TEXT: Record<MarketPhase, string> = {
  open: 'Market open',
  premarket: 'Pre-market · liquidity thinner',
  afterhours: 'After hours · liquidity thinner',
  closed: 'Market closed',
};

const STATUS_TEXT: Record<PlanStatus, string> = {
  intact: 'Plan intact',
  at_risk: 'At risk',
  invalidated: 'Invalidated',
};

const HEALTH_TEXT: Record<StreamHealth, string> = {
  idle: 'Idle',
  good: 'Streaming',
  warn: 'Delayed',
  stale: 'Stale',
};

export interface HeaderProps {
  title?: string | null;
  symbol: string | null;
  plan: PlanView | null;
  planStatus: PlanStatus | null;
  planStatusDerived: boolean;
  phase: MarketPhase;
  phaseNote: string | null;
  lastBeatMs: number | null;
  nowMs: number;
  lastUpdate: number | null;
  tz: string;
  dataSource: string | null;
  streamState: string;
}

export function Header(props: HeaderProps) {
  const { plan } = props;
  const health = heartbeatHealth(props.lastBeatMs, props.nowMs);
  const beatAge = props.lastBeatMs === null ? null : (props.nowMs - props.lastBeatMs) / 1000;
  const streamTitle =
    beatAge === null
      ? `No live data yet (${props.streamState})`
      : `Heartbeat ${health === 'good' ? 'fresh' : health === 'warn' ? 'late' : 'stale'} · ${formatAge(beatAge)}${props.dataSource ? ` · Source ${props.dataSource}` : ''}`;
  const rr = plan?.targets[0]?.rr ?? null;
  const nowSec = props.nowMs / 1000;
  return (
    <header className="tv-header" data-testid="tv-header">
      <div className="tv-title">
        <span className="symbol" data-testid="hdr-symbol">{props.symbol ?? '—'}</span>
        {props.title && <span className="muted" data-testid="hdr-title">{props.title}</span>}
        {plan?.strategy && <span className="muted" data-testid="hdr-strategy">{plan.strategy}</span>}
        {plan && (
          <span className={`bias bias-${plan.direction}`} data-testid="hdr-bias">
            {plan.direction === 'long' ? 'Long bias' : 'Short bias'}
          </span>
        )}
        {plan?.confidence != null && (
          <span className="muted" data-testid="hdr-confidence" title="Plan confidence">
            Conf {Math.round(plan.confidence * 100)}%
          </span>
        )}
        {rr !== null && (
          <span className="muted" data-testid="hdr-rr" title="Reward-to-risk to TP1">
            R:R {rr.toFixed(2)}
          </span>
        )}
      </div>
      <div className="tv-pills">
        {props.planStatus && (
          <span className={`pill status-${props.planStatus}`} data-testid="pill-plan" title={props.planStatusDerived ? 'Derived from the last price' : 'From the server'}>
            {STATUS_TEXT[props.planStatus]}
          </span>
        )}
        <span className={`pill phase-${props.phase}`} data-testid="pill-market" title={props.phaseNote ?? 'By exchange hours'}>
          {PHASE_TEXT[props.phase]}
        </span>
        <span className={`pill health-${health}`} data-testid="pill-stream" data-health={health} title={streamTitle}>
          ● {props.streamState === 'off' ? 'Live off' : HEALTH_TEXT[health]}
        </span>
        <span className="muted small" data-testid="hdr-updated">
          {props.lastUpdate !== null
            ? `Last update ${formatClock(props.lastUpdate, props.tz)} ${zoneAbbreviation(props.lastUpdate, props.tz)} (${formatAge(nowSec - props.lastUpdate)})`
            : 'No data yet'}
        </span>
        {props.dataSource && (
          <span className="muted small" data-testid="hdr-source">
            Source: {humanize(props.dataSource)}
          </span>
        )}
        <ThemeToggle />
      </div>
    </header>
  );
}
