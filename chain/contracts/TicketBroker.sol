// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import "./RoundsManager.sol";
import "./OrchestratorRegistry.sol";

/// Probabilistic micropayments as Livepeer's TicketBroker documents them: senders fund a deposit and a reserve,
/// recipients redeem winning tickets signed by the sender. Written for this project from the documented behaviour;
/// the ticket hash, signature, win test and revert reasons match what gateways and orchestrators compute off-chain.
contract TicketBroker {
    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData; // creationRound (32 bytes) ‖ creationRoundBlockHash (32 bytes)
    }

    struct Sender {
        uint256 deposit;
        uint256 withdrawRound;
    }

    struct Reserve {
        uint256 funds;
        mapping(uint256 => uint256) claimedForRound;
        mapping(uint256 => mapping(address => uint256)) claimedByAddress;
    }

    // secp256k1n / 2: signatures with a higher s are malleable copies and are refused.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    RoundsManager public immutable roundsManager;
    OrchestratorRegistry public immutable registry;
    uint256 public immutable unlockPeriod;
    uint256 public immutable ticketValidityPeriod;

    mapping(address => Sender) private senders;
    mapping(address => Reserve) private reserves;
    mapping(bytes32 => bool) public usedTickets;

    event DepositFunded(address indexed sender, uint256 amount);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);

    constructor(RoundsManager _roundsManager, OrchestratorRegistry _registry, uint256 _unlockPeriod, uint256 _ticketValidityPeriod) {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be positive");
        roundsManager = _roundsManager;
        registry = _registry;
        unlockPeriod = _unlockPeriod;
        ticketValidityPeriod = _ticketValidityPeriod;
    }

    modifier currentRoundInitialized() {
        require(roundsManager.currentRoundInitialized(), "current round is not initialized");
        _;
    }

    // ---- senders ------------------------------------------------------------------------------------------------

    function fundDeposit() external payable {
        addDeposit(msg.sender, msg.value);
    }

    function fundReserve() external payable {
        addReserve(msg.sender, msg.value);
    }

    function fundDepositAndReserve(uint256 _depositAmount, uint256 _reserveAmount) external payable {
        require(msg.value == _depositAmount + _reserveAmount, "msg.value does not equal sum of deposit amount and reserve amount");
        addDeposit(msg.sender, _depositAmount);
        addReserve(msg.sender, _reserveAmount);
    }

    function unlock() external {
        Sender storage sender = senders[msg.sender];
        require(sender.deposit > 0 || reserves[msg.sender].funds > 0, "sender deposit and reserve are zero");
        require(sender.withdrawRound == 0, "unlock already initiated");
        uint256 round = roundsManager.currentRound();
        sender.withdrawRound = round + unlockPeriod;
        emit Unlock(msg.sender, round, sender.withdrawRound);
    }

    function cancelUnlock() external {
        Sender storage sender = senders[msg.sender];
        require(sender.withdrawRound != 0, "no unlock request in progress");
        sender.withdrawRound = 0;
        emit UnlockCancelled(msg.sender);
    }

    function withdraw() external {
        Sender storage sender = senders[msg.sender];
        uint256 deposit = sender.deposit;
        uint256 reserve = reserves[msg.sender].funds;
        require(deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        require(sender.withdrawRound != 0, "no unlock request in progress");
        require(!isLocked(sender), "account is locked");
        sender.deposit = 0;
        sender.withdrawRound = 0;
        reserves[msg.sender].funds = 0;
        emit Withdrawal(msg.sender, deposit, reserve);
        pay(msg.sender, deposit + reserve);
    }

    function getSenderInfo(address _sender) external view returns (uint256 deposit, uint256 withdrawRound, uint256 reserveFunds) {
        Sender storage sender = senders[_sender];
        return (sender.deposit, sender.withdrawRound, reserves[_sender].funds);
    }

    function claimedReserve(address _reserveHolder, address _claimant) external view returns (uint256) {
        return reserves[_reserveHolder].claimedByAddress[roundsManager.currentRound()][_claimant];
    }

    /// What the claimant may still take from the holder's reserve this round: an equal share of the reserve (as it was
    /// at the round's start) per active orchestrator, less what it has claimed this round. Zero for an inactive claimant.
    function claimableReserve(address _reserveHolder, address _claimant) public view returns (uint256) {
        if (!registry.isActive(_claimant)) {
            return 0;
        }
        uint256 poolSize = registry.activeCount();
        if (poolSize == 0) {
            return 0;
        }
        Reserve storage reserve = reserves[_reserveHolder];
        uint256 round = roundsManager.currentRound();
        uint256 allocation = (reserve.funds + reserve.claimedForRound[round]) / poolSize;
        uint256 claimed = reserve.claimedByAddress[round][_claimant];
        return allocation > claimed ? allocation - claimed : 0;
    }

    // ---- tickets ------------------------------------------------------------------------------------------------

    function getTicketHash(Ticket memory _ticket) public pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                _ticket.recipient,
                _ticket.sender,
                _ticket.faceValue,
                _ticket.winProb,
                _ticket.senderNonce,
                _ticket.recipientRandHash,
                _ticket.auxData
            )
        );
    }

    /// The address that signed personal_sign(ticketHash) (EIP-191), or zero for a malformed or malleable signature.
    function recoverSigner(bytes32 _ticketHash, bytes memory _sig) public pure returns (address) {
        if (_sig.length != 65) {
            return address(0);
        }
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(_sig, 32))
            s := mload(add(_sig, 64))
            v := byte(0, mload(add(_sig, 96)))
        }
        if (v < 27) {
            v += 27;
        }
        if ((v != 27 && v != 28) || uint256(s) > HALF_N) {
            return address(0);
        }
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", _ticketHash));
        return ecrecover(digest, v, r, s);
    }

    function redeemWinningTicket(Ticket memory _ticket, bytes memory _sig, uint256 _recipientRand) public currentRoundInitialized {
        bytes32 ticketHash = getTicketHash(_ticket);
        requireValidWinningTicket(_ticket, ticketHash, _sig, _recipientRand);

        Sender storage sender = senders[_ticket.sender];
        require(isLocked(sender), "sender is unlocked");
        require(sender.deposit > 0 || reserves[_ticket.sender].funds > 0, "sender deposit and reserve are zero");
        require(registry.isRegistered(_ticket.recipient), "transcoder must be registered");

        usedTickets[ticketHash] = true;

        uint256 amountToTransfer;
        if (_ticket.faceValue > sender.deposit) {
            amountToTransfer = sender.deposit;
            sender.deposit = 0;
        } else {
            amountToTransfer = _ticket.faceValue;
            sender.deposit -= _ticket.faceValue;
        }
        if (_ticket.faceValue > amountToTransfer) {
            amountToTransfer += claimFromReserve(_ticket.sender, _ticket.recipient, _ticket.faceValue - amountToTransfer);
        }

        emit WinningTicketRedeemed(
            _ticket.sender,
            _ticket.recipient,
            _ticket.faceValue,
            _ticket.winProb,
            _ticket.senderNonce,
            _recipientRand,
            _ticket.auxData
        );

        if (amountToTransfer > 0) {
            registry.updateWithFees(_ticket.recipient, amountToTransfer, creationRoundOf(_ticket.auxData));
            emit WinningTicketTransfer(_ticket.sender, _ticket.recipient, amountToTransfer);
            pay(_ticket.recipient, amountToTransfer);
        }
    }

    // ---- internals ----------------------------------------------------------------------------------------------

    function requireValidWinningTicket(Ticket memory _ticket, bytes32 _ticketHash, bytes memory _sig, uint256 _recipientRand) private view {
        require(_ticket.recipient != address(0), "ticket recipient is null address");
        require(_ticket.sender != address(0), "ticket sender is null address");
        require(_ticket.auxData.length == 64, "invalid length for ticket auxData: must be 64 bytes");

        uint256 creationRound = creationRoundOf(_ticket.auxData);
        bytes32 creationRoundBlockHash;
        bytes memory aux = _ticket.auxData;
        assembly {
            creationRoundBlockHash := mload(add(aux, 64))
        }
        bytes32 roundHash = roundsManager.blockHashForRound(creationRound);
        require(roundHash != bytes32(0), "ticket creationRound does not have a block hash");
        require(roundHash == creationRoundBlockHash, "ticket creationRoundBlockHash invalid for creationRound");
        require(creationRound + ticketValidityPeriod > roundsManager.currentRound(), "ticket is expired");

        require(keccak256(abi.encodePacked(_recipientRand)) == _ticket.recipientRandHash, "recipientRand does not match recipientRandHash");
        require(!usedTickets[_ticketHash], "ticket is used");
        address signer = recoverSigner(_ticketHash, _sig);
        require(signer != address(0) && signer == _ticket.sender, "invalid signature over ticket hash");
        require(uint256(keccak256(abi.encodePacked(_sig, _recipientRand))) < _ticket.winProb, "ticket did not win");
    }

    function claimFromReserve(address _reserveHolder, address _claimant, uint256 _amount) private returns (uint256) {
        uint256 claimable = claimableReserve(_reserveHolder, _claimant);
        uint256 claimAmount = _amount > claimable ? claimable : _amount;
        if (claimAmount == 0) {
            return 0;
        }
        Reserve storage reserve = reserves[_reserveHolder];
        uint256 round = roundsManager.currentRound();
        reserve.funds -= claimAmount;
        reserve.claimedForRound[round] += claimAmount;
        reserve.claimedByAddress[round][_claimant] += claimAmount;
        emit ReserveClaimed(_reserveHolder, _claimant, claimAmount);
        return claimAmount;
    }

    function creationRoundOf(bytes memory _auxData) private pure returns (uint256 round) {
        assembly {
            round := mload(add(_auxData, 32))
        }
    }

    function isLocked(Sender storage _sender) private view returns (bool) {
        return _sender.withdrawRound == 0 || roundsManager.currentRound() < _sender.withdrawRound;
    }

    function addDeposit(address _sender, uint256 _amount) private {
        senders[_sender].deposit += _amount;
        emit DepositFunded(_sender, _amount);
    }

    function addReserve(address _sender, uint256 _amount) private {
        reserves[_sender].funds += _amount;
        emit ReserveFunded(_sender, _amount);
    }

    function pay(address _to, uint256 _amount) private {
        (bool ok, ) = payable(_to).call{value: _amount}("");
        require(ok, "transfer failed");
    }
}
