// Zones (supply/demand, FVG, liquidity pools) drawn as full-width horizontal bands behind the
// candles, through a lightweight-charts v5 series primitive.

import type {
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';
import type { ZoneView } from './plan';

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

export const ZONE_COLORS: Record<ZoneView['kind'], string> = {
  supply: '251, 113, 133', // rose
  demand: '52, 211, 153', // emerald
  fvg: '96, 165, 250', // blue
  liquidity: '251, 191, 36', // amber
  other: '148, 163, 184', // slate
};

interface BandGeometry {
  y1: number;
  y2: number;
  zone: ZoneView;
}

class BandsRenderer implements IPrimitivePaneRenderer {
  constructor(private readonly bands: BandGeometry[], private readonly textColor: string) {}

  draw(target: DrawTarget): void {
    target.useMediaCoordinateSpace(({ context: ctx, mediaSize }) => {
      ctx.save();
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      for (const { y1, y2, zone } of this.bands) {
        const rgb = ZONE_COLORS[zone.kind];
        const top = Math.min(y1, y2);
        const height = Math.max(2, Math.abs(y2 - y1));
        const mitigated = zone.status !== null && /mitigat|filled|broken|swept/i.test(zone.status);
        ctx.fillStyle = `rgba(${rgb}, ${mitigated ? 0.06 : 0.14})`;
        ctx.fillRect(0, top, mediaSize.width, height);
        ctx.strokeStyle = `rgba(${rgb}, ${mitigated ? 0.35 : 0.7})`;
        ctx.lineWidth = 1;
        ctx.setLineDash(zone.kind === 'fvg' || zone.kind === 'liquidity' ? [3, 3] : []);
        ctx.beginPath();
        ctx.moveTo(0, top + 0.5);
        ctx.lineTo(mediaSize.width, top + 0.5);
        ctx.moveTo(0, top + height - 0.5);
        ctx.lineTo(mediaSize.width, top + height - 0.5);
        ctx.stroke();
        ctx.fillStyle = this.textColor;
        ctx.globalAlpha = 0.85;
        const label = zone.status ? `${zone.label} (${zone.status})` : zone.label;
        // Thin bands (liquidity pools) get their label above the band, not through it.
        ctx.fillText(label, 6, height < 16 ? top - 14 : top + 2);
        ctx.globalAlpha = 1;
      }
      ctx.restore();
    });
  }
}

class BandsPaneView implements IPrimitivePaneView {
  private geometry: BandGeometry[] = [];

  constructor(private readonly source: ZoneBands) {}

  update(): void {
    const series = this.source.series;
    this.geometry = [];
    if (!series) return;
    for (const zone of this.source.zones) {
      const y1 = series.priceToCoordinate(zone.top);
      const y2 = series.priceToCoordinate(zone.bottom);
      if (y1 === null || y2 === null) continue;
      this.geometry.push({ y1, y2, zone });
    }
  }

  zOrder(): PrimitivePaneViewZOrder {
    return 'bottom';
  }

  renderer(): IPrimitivePaneRenderer {
    return new BandsRenderer(this.geometry, this.source.textColor);
  }
}

export class ZoneBands implements ISeriesPrimitive<Time> {
  zones: ZoneView[] = [];
  textColor = '#cbd5e1';
  series: ISeriesApi<SeriesType, Time> | null = null;
  private requestUpdate: (() => void) | null = null;
  private readonly views: BandsPaneView[] = [new BandsPaneView(this)];

  attached(param: SeriesAttachedParameter<Time>): void {
    this.series = param.series;
    this.requestUpdate = param.requestUpdate;
  }

  detached(): void {
    this.series = null;
    this.requestUpdate = null;
  }

  setZones(zones: ZoneView[]): void {
    this.zones = zones;
    this.requestUpdate?.();
  }

  setTextColor(color: string): void {
    this.textColor = color;
    this.requestUpdate?.();
  }

  updateAllViews(): void {
    for (const v of this.views) v.update();
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }
}
