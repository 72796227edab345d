import { describe, expect, it, vi } from "vitest";
import {
  type FetchPage,
  MAX_IN_FLIGHT,
  MOST_AHEAD,
  MOST_PAGES_PER_REQUEST,
  PAGE_SIZE,
  PageCache,
  readAhead,
} from "./pages";

const fakeRows = (offset: number, limit: number) =>
  Promise.resolve(Array.from({ length: limit }, (_, i) => [offset + i]));

/** A fetchPage whose requests wait, each until its function in `answers` is called (or in
 * `refusals`, to fail it). */
function answeredWhenTold() {
  const answers: (() => void)[] = [];
  const refusals: (() => void)[] = [];
  const fetchPage = vi.fn<FetchPage<number[]>>(
    (offset, limit) =>
      new Promise((resolve, reject) => {
        answers.push(() => void fakeRows(offset, limit).then(resolve));
        refusals.push(() => reject(new Error("taken back")));
      }),
  );
  return { answers, refusals, fetchPage };
}

/** Each request as [its first page, how many pages]. */
const pagesAsked = (fetchPage: { mock: { calls: [number, number, ...unknown[]][] } }) =>
  fetchPage.mock.calls.map(([offset, limit]) => [offset / PAGE_SIZE, limit / PAGE_SIZE]);

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

  it("skips the pages scrolled past while earlier requests were in flight", async () => {
    const { answers, fetchPage } = answeredWhenTold();
    const cache = new PageCache(fetchPage, () => {});
    // A scrollbar drag: the visible range passes pages 0…99 while the first requests wait.
    for (let p = 0; p < 100; p++) cache.ensure(p * PAGE_SIZE, p * PAGE_SIZE + 30);
    expect(fetchPage).toHaveBeenCalledTimes(MAX_IN_FLIGHT);
    answers.splice(0).forEach((answer) => answer());
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(MAX_IN_FLIGHT + 1));
    expect(fetchPage.mock.calls.at(-1)?.[0]).toBe(99 * PAGE_SIZE);
    answers.splice(0).forEach((answer) => answer());
    await vi.waitFor(() => expect(cache.row(99 * PAGE_SIZE + 5)).toEqual([99 * PAGE_SIZE + 5]));
  });

  it("asks again for a page whose request failed", async () => {
    let fail = true;
    const fetchPage = vi.fn((offset: number, limit: number) =>
      fail ? Promise.reject(new Error("busy")) : fakeRows(offset, limit),
    );
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(0, 10);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 0));
    fail = false;
    cache.ensure(0, 10);
    await vi.waitFor(() => expect(cache.row(3)).toEqual([3]));
  });

  it("fetches the visible pages first, then those just beyond them", async () => {
    const fetchPage = vi.fn(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(PAGE_SIZE * 5 + 10, PAGE_SIZE * 5 + 40, PAGE_SIZE / 2);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(2));
    expect(fetchPage.mock.calls.map((c) => c[0] / PAGE_SIZE)).toEqual([5, 4]);
    cache.ensure(PAGE_SIZE * 5 + 150, PAGE_SIZE * 5 + 180, PAGE_SIZE / 2);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(3));
    expect(fetchPage.mock.calls[2]?.[0]).toBe(6 * PAGE_SIZE);
  });

  it("asks for a new view's pages ahead once its first rows have come, and beside them after", async () => {
    const { answers, fetchPage } = answeredWhenTold();
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(0, 30, 0, PAGE_SIZE * 8);
    await new Promise((r) => setTimeout(r, 0));
    expect(pagesAsked(fetchPage)).toEqual([[0, 1]]);
    answers.splice(0).forEach((answer) => answer());
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(2));
    expect(pagesAsked(fetchPage)[1]).toEqual([1, MOST_PAGES_PER_REQUEST]);
    answers.splice(0).forEach((answer) => answer());
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE)).toBeDefined());
    // Scrolling on: the visible page and the pages ahead of it are asked at once.
    cache.ensure(PAGE_SIZE * 20, PAGE_SIZE * 20 + 30, 0, PAGE_SIZE * 8);
    expect(pagesAsked(fetchPage).slice(2)).toEqual([
      [20, 1],
      [21, MOST_PAGES_PER_REQUEST],
    ]);
  });

  it("tells the rows it reads ahead from the rows on screen", async () => {
    const fetchPage = vi.fn<FetchPage<number[]>>(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(0, 30, 0, PAGE_SIZE * 8);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(2));
    cache.ensure(PAGE_SIZE * 20, PAGE_SIZE * 21 + 30, PAGE_SIZE * 2, PAGE_SIZE * 8);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(6));
    const asked = fetchPage.mock.calls.map(([offset, limit, ahead]) => [
      offset / PAGE_SIZE,
      limit / PAGE_SIZE,
      ahead !== null,
    ]);
    expect(asked).toEqual([
      [0, 1, false],
      [1, MOST_PAGES_PER_REQUEST, true],
      [20, 1, false],
      [21, 1, false],
      [22, MOST_PAGES_PER_REQUEST, true],
      [18, 2, true],
    ]);
  });

  it("asks for nothing more while closed, though its first rows come after", async () => {
    const { answers, fetchPage } = answeredWhenTold();
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(0, 30, 0, PAGE_SIZE * 8);
    cache.close();
    answers.splice(0).forEach((answer) => answer());
    await vi.waitFor(() => expect(cache.row(0)).toBeDefined());
    cache.ensure(PAGE_SIZE * 20, PAGE_SIZE * 20 + 30);
    await new Promise((r) => setTimeout(r, 0));
    expect(pagesAsked(fetchPage)).toEqual([[0, 1]]);
    // Shown again: what is wanted is asked for.
    cache.open();
    expect(pagesAsked(fetchPage).slice(1)).toEqual([[20, 1]]);
  });

  it("takes back the rows ahead it is reading when closed, and reads them again if shown again", async () => {
    const { answers, refusals, fetchPage } = answeredWhenTold();
    const takeBack = vi.fn();
    const cache = new PageCache(fetchPage, () => {}, 50, takeBack);
    cache.ensure(0, 30, 0, PAGE_SIZE * 8);
    answers[0]?.();
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(2));
    const ticket = fetchPage.mock.calls[1]?.[2];
    expect(fetchPage.mock.calls[0]?.[2]).toBeNull();
    expect(ticket).toEqual(expect.any(String));
    cache.close();
    expect(takeBack.mock.calls).toEqual([[ticket]]);
    // Shown again at once (React's StrictMode), then the backend answers the rows taken back
    // as failed: the same pages are asked for again, under a ticket not taken back.
    cache.open();
    expect(fetchPage).toHaveBeenCalledTimes(2);
    refusals[1]?.();
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(3));
    expect(pagesAsked(fetchPage)).toEqual([
      [0, 1],
      [1, MOST_PAGES_PER_REQUEST],
      [1, MOST_PAGES_PER_REQUEST],
    ]);
    const again = fetchPage.mock.calls[2]?.[2];
    expect(again).toEqual(expect.any(String));
    expect(again).not.toEqual(ticket);
    // Closed with nothing ahead in flight, nothing is taken back.
    answers[2]?.();
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE)).toBeDefined());
    cache.close();
    expect(takeBack).toHaveBeenCalledTimes(1);
  });

  it("reads the pages ahead a few to a request, and splits the answer into its pages", async () => {
    const fetchPage = vi.fn(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    // Moving down: the visible page alone, then 10 pages ahead and one behind.
    cache.ensure(PAGE_SIZE * 20 + 10, PAGE_SIZE * 20 + 40, PAGE_SIZE, PAGE_SIZE * 10);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(4));
    expect(pagesAsked(fetchPage)).toEqual([
      [20, 1],
      [21, MOST_PAGES_PER_REQUEST],
      // The rest of the side read far ahead: a whole run, past its edge.
      [21 + MOST_PAGES_PER_REQUEST, MOST_PAGES_PER_REQUEST],
      [19, 1],
    ]);
    for (const row of [PAGE_SIZE * 21, PAGE_SIZE * 29 - 1, PAGE_SIZE * 30 + 199, PAGE_SIZE * 19]) {
      expect(cache.row(row)).toEqual([row]);
    }
  });

  it("reads a whole run past the edge as the rows move on, but not past the view's end", async () => {
    const fetchPage = vi.fn(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    const ahead = PAGE_SIZE * MOST_PAGES_PER_REQUEST;
    cache.ensure(PAGE_SIZE * 20, PAGE_SIZE * 20 + 30, 0, ahead);
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE * 28)).toBeDefined());
    expect(pagesAsked(fetchPage)).toEqual([
      [20, 1],
      [21, MOST_PAGES_PER_REQUEST],
    ]);
    // A page on: one page at the far edge is missing, and a whole run is read from it.
    cache.ensure(PAGE_SIZE * 21, PAGE_SIZE * 21 + 30, 0, ahead);
    expect(pagesAsked(fetchPage).at(-1)).toEqual([29, MOST_PAGES_PER_REQUEST]);
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE * 36)).toBeDefined());
    // Nothing is read ahead past the view's last row (page 40 holds its last 5).
    const total = PAGE_SIZE * 40 + 5;
    cache.ensure(PAGE_SIZE * 30, PAGE_SIZE * 30 + 30, 0, ahead, total);
    expect(pagesAsked(fetchPage).slice(2)).toEqual([
      [29, MOST_PAGES_PER_REQUEST],
      [37, 4],
    ]);
  });

  it("reads upwards in runs too, asking from the lowest page of each", async () => {
    const fetchPage = vi.fn(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(PAGE_SIZE * 20 + 10, PAGE_SIZE * 20 + 40, PAGE_SIZE * 3, 0);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(2));
    expect(pagesAsked(fetchPage)).toEqual([
      [20, 1],
      [17, 3],
    ]);
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE * 17 + 3)).toEqual([PAGE_SIZE * 17 + 3]));
    expect(cache.row(PAGE_SIZE * 19 + 199)).toEqual([PAGE_SIZE * 19 + 199]);
  });

  it("asks only for the pages a run still misses", async () => {
    const fetchPage = vi.fn(fakeRows);
    const cache = new PageCache(fetchPage, () => {});
    cache.ensure(PAGE_SIZE * 3, PAGE_SIZE * 3);
    await vi.waitFor(() => expect(cache.row(PAGE_SIZE * 3)).toBeDefined());
    cache.ensure(0, 10, 0, PAGE_SIZE * 5);
    await vi.waitFor(() => expect(fetchPage).toHaveBeenCalledTimes(4));
    expect(pagesAsked(fetchPage)).toEqual([
      [3, 1],
      [0, 1],
      [1, 2],
      [4, 2],
    ]);
  });
});

describe("readAhead", () => {
  it("reads one request's pages below the screen and two pages above when the rows stand still", () => {
    expect(readAhead(0)).toEqual([2 * PAGE_SIZE, MOST_PAGES_PER_REQUEST * PAGE_SIZE]);
    expect(readAhead(30)).toEqual([2 * PAGE_SIZE, MOST_PAGES_PER_REQUEST * PAGE_SIZE]);
  });

  it("reads further the way the rows move, the faster the further, up to a bound", () => {
    expect(readAhead(2000)).toEqual([2 * PAGE_SIZE, 3000]);
    expect(readAhead(-200)).toEqual([2 * PAGE_SIZE, 2 * PAGE_SIZE]);
    expect(readAhead(-2000)).toEqual([3000, 2 * PAGE_SIZE]);
    expect(readAhead(5400)[1]).toBe(MOST_AHEAD);
    expect(readAhead(-1e9)[0]).toBe(MOST_AHEAD);
  });
});
