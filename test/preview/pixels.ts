/** Reading a screenshot: its pixels, by position, and how many in a box are near a colour. */
import { PNG } from "pngjs";

export type Rgb = [number, number, number];

export interface Picture {
  width: number;
  height: number;
  at(x: number, y: number): Rgb;
}

export function decode(png: Buffer): Picture {
  const image = PNG.sync.read(png);
  return {
    width: image.width,
    height: image.height,
    at(x, y) {
      const px = Math.round(x);
      const py = Math.round(y);
      if (px < 0 || py < 0 || px >= image.width || py >= image.height)
        throw new Error(`pixel ${px},${py} is outside the ${image.width}x${image.height} picture`);
      const i = (py * image.width + px) * 4;
      return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    },
  };
}

export const hex = (color: string): Rgb => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as Rgb;

export const near = (a: Rgb, b: Rgb, tolerance = 10) => a.every((c, i) => Math.abs(c - b[i]!) <= tolerance);

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pixels of `box` within `tolerance` of `color`. */
export function countNear(picture: Picture, box: Box, color: Rgb, tolerance = 40): number {
  let count = 0;
  for (let y = Math.ceil(box.y); y < Math.floor(box.y + box.height); y++)
    for (let x = Math.ceil(box.x); x < Math.floor(box.x + box.width); x++)
      if (near(picture.at(x, y), color, tolerance)) count++;
  return count;
}
