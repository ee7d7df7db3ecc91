// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Rounds of a fixed number of blocks. A round must be initialised (by anyone) before tickets can be redeemed in it;
/// initialisation records the hash of the block before, which tickets created in that round carry in their auxData.
contract RoundsManager {
    uint256 public immutable roundLength;
    uint256 public lastInitializedRound;
    mapping(uint256 => bytes32) private roundBlockHash;

    event NewRound(uint256 indexed round, bytes32 blockHash);

    constructor(uint256 _roundLength) {
        require(_roundLength > 0, "round length must be positive");
        roundLength = _roundLength;
    }

    function currentRound() public view returns (uint256) {
        return block.number / roundLength;
    }

    function currentRoundInitialized() public view returns (bool) {
        return lastInitializedRound == currentRound() && roundBlockHash[lastInitializedRound] != bytes32(0);
    }

    function initializeRound() external {
        uint256 round = currentRound();
        require(!currentRoundInitialized(), "round already initialized");
        bytes32 hash = blockhash(block.number - 1);
        lastInitializedRound = round;
        roundBlockHash[round] = hash;
        emit NewRound(round, hash);
    }

    function blockHashForRound(uint256 _round) external view returns (bytes32) {
        return roundBlockHash[_round];
    }
}
