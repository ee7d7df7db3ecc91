// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Orchestrators with a stake and a service URI: the part of Livepeer's BondingManager and ServiceRegistry that
/// discovery and the ticket broker need. Stake is assigned by the owner (a stand-in for bonding LPT); an orchestrator
/// with stake > 0 is active. Fees are booked by the ticket broker when a winning ticket pays the orchestrator.
contract OrchestratorRegistry {
    address public immutable owner;
    address public ticketBroker;

    address[] private registered;
    mapping(address => bool) public isRegistered;
    mapping(address => string) public serviceURI;
    mapping(address => uint256) public stake;
    mapping(address => uint256) public feesEarned;
    uint256 public activeCount;

    event ServiceURIUpdate(address indexed addr, string serviceURI);
    event StakeUpdate(address indexed addr, uint256 stake);
    event FeesEarned(address indexed addr, uint256 amount, uint256 creationRound);

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "caller is not the owner");
        _;
    }

    function setTicketBroker(address _ticketBroker) external onlyOwner {
        require(ticketBroker == address(0), "ticket broker already set");
        ticketBroker = _ticketBroker;
    }

    /// The orchestrator's own call (ServiceRegistry.setServiceURI).
    function setServiceURI(string calldata _serviceURI) external {
        addRegistered(msg.sender);
        serviceURI[msg.sender] = _serviceURI;
        emit ServiceURIUpdate(msg.sender, _serviceURI);
    }

    /// The deployer's call: registers an orchestrator with its service URI and stake (bonding, simplified).
    function registerFor(address _addr, string calldata _serviceURI, uint256 _stake) external onlyOwner {
        require(_addr != address(0), "orchestrator is null address");
        addRegistered(_addr);
        serviceURI[_addr] = _serviceURI;
        emit ServiceURIUpdate(_addr, _serviceURI);
        setStakeOf(_addr, _stake);
    }

    function setStake(address _addr, uint256 _stake) external onlyOwner {
        require(isRegistered[_addr], "transcoder must be registered");
        setStakeOf(_addr, _stake);
    }

    function isActive(address _addr) public view returns (bool) {
        return stake[_addr] > 0;
    }

    function updateWithFees(address _addr, uint256 _fees, uint256 _creationRound) external {
        require(msg.sender == ticketBroker, "caller must be TicketBroker");
        require(isRegistered[_addr], "transcoder must be registered");
        feesEarned[_addr] += _fees;
        emit FeesEarned(_addr, _fees, _creationRound);
    }

    /// Every registered orchestrator, in registration order, with what discovery needs.
    function getOrchestrators()
        external
        view
        returns (address[] memory addrs, string[] memory uris, uint256[] memory stakes, uint256[] memory fees)
    {
        uint256 n = registered.length;
        addrs = new address[](n);
        uris = new string[](n);
        stakes = new uint256[](n);
        fees = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            address a = registered[i];
            addrs[i] = a;
            uris[i] = serviceURI[a];
            stakes[i] = stake[a];
            fees[i] = feesEarned[a];
        }
    }

    function addRegistered(address _addr) private {
        if (!isRegistered[_addr]) {
            isRegistered[_addr] = true;
            registered.push(_addr);
        }
    }

    function setStakeOf(address _addr, uint256 _stake) private {
        bool wasActive = stake[_addr] > 0;
        stake[_addr] = _stake;
        if (!wasActive && _stake > 0) {
            activeCount += 1;
        } else if (wasActive && _stake == 0) {
            activeCount -= 1;
        }
        emit StakeUpdate(_addr, _stake);
    }
}
