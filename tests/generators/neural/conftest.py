import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny networks run fastest (and reproducibly) on one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
