"""What a check's probe does in a race lab: markers from inside the racing threads."""
import threading

from labkit import recorder


def racer(i: int) -> None:
    recorder.mark("lost update", {"read": i, "wrote": i + 1, "object": object()})


threads = [threading.Thread(target=racer, args=(i,), name=f"racer-{i}") for i in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
recorder.mark("summary", {"lost": 2}, thread=threads[0])
