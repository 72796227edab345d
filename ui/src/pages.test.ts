import { describe, expect, it, vi } from "vitest";
import { PAGE_SIZE, PageCache } from "./pages";

const fakeRows = (offset: number, limit: number) =>
  Promise.resolve(Array.from({ length: limit }, (_, i) => [offset + i]));

describe("PageCache", () => {
  it("fetches each page covering a range once, at its offset", async () => {
    const fetchPage = vi.fn(fakeRows);
    const loaded = vi.fn();
    const cache = new PageCache(fetchPage, loaded);
    cache.ensure(150, 450);
    cache.ensure(160, 420);
    await vi.waitFor(() => expect(loaded).toHaveBeenCalledTimes(3));
    expect(fetchPage.mock.calls.map((c) => c[0])).toEqual([0, PAGE_SIZE, 2 * PAGE_SIZE]);
    expect(cache.row(450)).toEqual([450]);
  });

  it("jumps straight to the middle of a huge view", async () => {
    const fetchPage = vi.fn(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(500_000, 500_040);
    await vi.waitFor(() => expect(cache.row(500_020)).toEqual([500_020]));
    expect(fetchPage).toHaveBeenCalledTimes(1);
  });

  it("forgets the pages furthest away when it holds too many", async () => {
    const cache = new PageCache(fakeRows, () => {}, 2);
    cache.ensure(0, 0);
    await vi.waitFor(() => expect(cache.row(0)).toBeDefined());
    cache.ensure(PAGE_SIZE * 10, PAGE_SIZE * 10);
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE * 10)).toBeDefined());
    cache.ensure(PAGE_SIZE * 11, PAGE_SIZE * 11);
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE * 11)).toBeDefined());
    expect(cache.row(0)).toBeUndefined();
  });
});
