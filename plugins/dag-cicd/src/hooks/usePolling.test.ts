import { act, renderHook } from '@testing-library/react';
import { usePolling } from './usePolling';

describe('usePolling', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('polls while active and stops when it is not', async () => {
    const poll = jest.fn().mockResolvedValue(undefined);
    const { rerender, unmount } = renderHook(
      ({ active }) => usePolling(poll, { active, intervalMs: 1000 }),
      { initialProps: { active: true } },
    );
    await act(() => jest.advanceTimersByTimeAsync(3000));
    expect(poll).toHaveBeenCalledTimes(3);

    rerender({ active: false });
    await act(() => jest.advanceTimersByTimeAsync(5000));
    expect(poll).toHaveBeenCalledTimes(3);
    unmount();
  });

  it('never starts a poll before the previous one settled', async () => {
    let settle: () => void = () => {};
    const poll = jest.fn(
      () => new Promise<void>(resolve => (settle = resolve)),
    );
    renderHook(() => usePolling(poll, { active: true, intervalMs: 1000 }));
    await act(() => jest.advanceTimersByTimeAsync(5000));
    expect(poll).toHaveBeenCalledTimes(1);

    await act(async () => settle());
    await act(() => jest.advanceTimersByTimeAsync(1000));
    expect(poll).toHaveBeenCalledTimes(2);
  });

  it('keeps polling after a failed poll', async () => {
    const poll = jest.fn().mockRejectedValue(new Error('502'));
    renderHook(() => usePolling(poll, { active: true, intervalMs: 1000 }));
    await act(() => jest.advanceTimersByTimeAsync(2000));
    expect(poll).toHaveBeenCalledTimes(2);
  });
});
