import { isObject, type JsonValue } from './json-path.js';

/**
 * Geo conditions of filters, as Qdrant evaluates them on a payload value `{"lon": …, "lat": …}`:
 * bounding box (strict inside, crossing the antimeridian when `top_left.lon > bottom_right.lon`),
 * radius (haversine distance on the mean Earth radius, strictly less than `radius` metres) and
 * polygon (inside the exterior ring and outside every interior ring; points on an edge are outside,
 * like the `geo` crate's `contains`).
 */
export interface GeoPoint {
  lon: number;
  lat: number;
}

export interface GeoBoundingBox {
  topLeft: GeoPoint;
  bottomRight: GeoPoint;
}

export interface GeoRadius {
  center: GeoPoint;
  /** Metres. */
  radius: number;
}

export interface GeoPolygon {
  exterior: GeoPoint[];
  interiors: GeoPoint[][];
}

/** Mean Earth radius in metres (the `geo` crate's Haversine). */
const EARTH_RADIUS_M = 6371008.8;

/** A payload value that is a geo point (finite numeric `lon` and `lat`), or undefined. */
export function asGeoPoint(v: JsonValue): GeoPoint | undefined {
  if (!isObject(v)) return undefined;
  const lon = Object.hasOwn(v, 'lon') ? v.lon : undefined;
  const lat = Object.hasOwn(v, 'lat') ? v.lat : undefined;
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) return undefined;
  return { lon, lat };
}

export function checkGeoBoundingBox(box: GeoBoundingBox, v: JsonValue): boolean {
  const p = asGeoPoint(v);
  if (!p) return false;
  const lonOk = box.topLeft.lon > box.bottomRight.lon ? p.lon > box.topLeft.lon || p.lon < box.bottomRight.lon : box.topLeft.lon < p.lon && p.lon < box.bottomRight.lon;
  return lonOk && box.bottomRight.lat < p.lat && p.lat < box.topLeft.lat;
}

export function haversineMetres(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function checkGeoRadius(r: GeoRadius, v: JsonValue): boolean {
  const p = asGeoPoint(v);
  return p !== undefined && haversineMetres(r.center, p) < r.radius;
}

export function checkGeoPolygon(polygon: GeoPolygon, v: JsonValue): boolean {
  const p = asGeoPoint(v);
  if (!p) return false;
  if (!strictlyInside(polygon.exterior, p)) return false;
  return polygon.interiors.every((ring) => !insideOrOnEdge(ring, p));
}

function strictlyInside(ring: GeoPoint[], p: GeoPoint): boolean {
  return !onEdge(ring, p) && rayCast(ring, p);
}

function insideOrOnEdge(ring: GeoPoint[], p: GeoPoint): boolean {
  return onEdge(ring, p) || rayCast(ring, p);
}

/** Even-odd rule on a closed ring (x = lon, y = lat). */
function rayCast(ring: GeoPoint[], p: GeoPoint): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (a.lat > p.lat !== b.lat > p.lat) {
      const x = ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon;
      if (p.lon < x) inside = !inside;
    }
  }
  return inside;
}

function onEdge(ring: GeoPoint[], p: GeoPoint): boolean {
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    const cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    if (Math.abs(cross) > 1e-12) continue;
    if (p.lon >= Math.min(a.lon, b.lon) && p.lon <= Math.max(a.lon, b.lon) && p.lat >= Math.min(a.lat, b.lat) && p.lat <= Math.max(a.lat, b.lat)) return true;
  }
  return false;
}
